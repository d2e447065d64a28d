package io.cages.transport.jobs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that a reader (a watched folder on another host, a restarted host) sees either the old
 * content or the whole new one, never a part: the bytes go to a hidden temp file beside the target
 * ({@code .<name>.<random>.part}, a name a folder watch never takes), which is fsynced, renamed over the target
 * and followed by an fsync of the folder, so the rename itself survives a power cut.
 *
 * <p>For handlers that write their output into a folder another system (or another cage's folder watch) reads.
 * The host class path holds this class; a cage that wants it without depending on the transport writes the same
 * four steps itself (see the module README).
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code target} atomically; the folder must exist and be on one file system. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            moveAtomically(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Renames {@code from} to {@code to} (same file system; replaces {@code to}) and fsyncs the folder of
     * {@code to}, so the move is durable when this returns.
     *
     * @throws AtomicMoveNotSupportedException when the two are on different file systems
     */
    public static void moveAtomically(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncFolder(to.toAbsolutePath().getParent());
    }

    static void syncFolder(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open or sync a folder; the rename is then as durable as they make it.
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }
}
