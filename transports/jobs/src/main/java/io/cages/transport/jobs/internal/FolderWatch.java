package io.cages.transport.jobs.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.transport.jobs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the files of one folder to a cage, one at a time, in name order.
 *
 * <p>Which files are taken: regular files whose name neither starts with {@code .} nor ends with {@code .part}
 * (the names a writer uses while it writes, before renaming into place), and only once two listings in a row
 * saw the same size and modification time. A writer that may pause longer than the poll interval must use a
 * temp name and rename: stability is a heuristic, the rename is a guarantee.
 *
 * <p>After a success the file is renamed into {@code done/} (same file system, atomic, folder fsynced); after
 * {@code maxAttempts} failures it goes to {@code failed/} beside {@code <name>.reason}. A done file is never
 * handled again, restarts included, since it is no longer in the folder. Delivery is at least once, not exactly
 * once: a crash after the handler succeeded and before the rename hands the file over again after the restart
 * (handlers that must not repeat an effect key it on the file name). Failure counts live in memory: a restart
 * gives a failing file {@code maxAttempts} more tries.
 */
public final class FolderWatch {

    private static final Logger LOG = LoggerFactory.getLogger(FolderWatch.class);

    private final FolderSpec spec;
    private final Dispatcher dispatcher;
    private final Path done;
    private final Path failed;
    // CONCURRENCY: only the watch thread touches these two.
    private final Map<String, Seen> lastListing = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong failedFiles = new AtomicLong();
    private volatile boolean stopped;
    private volatile String lastOutcome;
    private String listError; // only the watch thread
    private Thread thread;

    private record Seen(long size, FileTime modified) {
    }

    public FolderWatch(FolderSpec spec, Dispatcher dispatcher) {
        this.spec = spec;
        this.dispatcher = dispatcher;
        this.done = spec.path().resolve("done");
        this.failed = spec.path().resolve("failed");
    }

    public FolderSpec spec() {
        return spec;
    }

    public synchronized void start() throws IOException {
        Files.createDirectories(done);
        Files.createDirectories(failed);
        thread = Thread.ofVirtual().name("cages-folder-" + spec.id()).start(this::run);
    }

    /** Stops listing; a file being handled finishes (within its deadline) and is moved. */
    public void stop() {
        stopped = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt(); // ends the sleep between polls; a handling in progress is awaited without interruption
        }
    }

    public boolean awaitEnd(long millis) throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        return t == null || t.join(java.time.Duration.ofMillis(millis));
    }

    public long handled() {
        return handled.get();
    }

    public long failedFiles() {
        return failedFiles.get();
    }

    public String lastOutcome() {
        return lastOutcome;
    }

    private void run() {
        while (!stopped) {
            try {
                poll();
                listError = null;
            } catch (IOException e) {
                if (!e.toString().equals(listError)) { // once per distinct error, not every poll
                    LOG.warn("folder watch {}: cannot list {}: {}", spec.id(), spec.path(), e.toString());
                }
                listError = e.toString();
            }
            try {
                Thread.sleep(spec.poll());
            } catch (InterruptedException e) {
                if (stopped) {
                    return;
                }
            }
        }
    }

    /** One listing: files seen unchanged since the previous listing are handled, in name order. */
    void poll() throws IOException {
        TreeMap<String, Seen> listing = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spec.path())) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || name.endsWith(".part")) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(file, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (a.isRegularFile()) {
                    listing.put(name, new Seen(a.size(), a.lastModifiedTime()));
                }
            }
        }
        Map<String, Seen> previous = new HashMap<>(lastListing);
        lastListing.clear();
        lastListing.putAll(listing);
        failures.keySet().retainAll(listing.keySet());
        for (Map.Entry<String, Seen> e : listing.entrySet()) {
            if (stopped) {
                return;
            }
            if (e.getValue().equals(previous.get(e.getKey()))) {
                handle(e.getKey(), e.getValue());
            }
        }
    }

    private void handle(String name, Seen seen) {
        Path file = spec.path().resolve(name);
        byte[] body;
        try {
            body = Files.readAllBytes(file);
            BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class);
            if (after.size() != seen.size() || !after.lastModifiedTime().equals(seen.modified()) || body.length != seen.size()) {
                lastListing.remove(name); // written again since the listing: wait for two more stable ones
                return;
            }
        } catch (NoSuchFileException e) {
            lastListing.remove(name);
            return;
        } catch (IOException e) {
            LOG.warn("folder watch {}: cannot read {}: {}", spec.id(), file, e.toString());
            return;
        }
        Map<String, String> attributes = Map.of("file.name", name, "file.size", Long.toString(body.length),
                "file.folder", spec.path().toString());
        InboundRequest request = new InboundRequest(spec.name() + "@" + name + "@" + seen.modified().toMillis(),
                spec.cage(), spec.operation(), Map.of(), body, null, attributes, "folder:" + spec.name(),
                spec.timeout() == null ? null : Deadline.after(spec.timeout()));
        Throwable failure = await(request);
        try {
            if (failure == null) {
                AtomicFiles.moveAtomically(file, done.resolve(name));
                handled.incrementAndGet();
                lastOutcome = "ok";
            } else {
                int attempts = failures.merge(name, 1, Integer::sum);
                String reason = describe(failure);
                lastOutcome = name + ": " + reason;
                if (attempts >= spec.maxAttempts()) {
                    // The reason first: a crash between the two leaves the file to be tried again, not a file in
                    // failed/ without its reason.
                    AtomicFiles.write(failed.resolve(name + ".reason"), ("attempts: " + attempts + "\nlast failure: " + reason + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                    AtomicFiles.moveAtomically(file, failed.resolve(name));
                    failures.remove(name);
                    failedFiles.incrementAndGet();
                    LOG.warn("folder watch {}: {} moved to failed/ after {} attempts: {}", spec.id(), name, attempts, reason);
                } else {
                    LOG.info("folder watch {}: {} failed (attempt {} of {}): {}", spec.id(), name, attempts, spec.maxAttempts(), reason);
                }
            }
        } catch (IOException e) {
            LOG.error("folder watch {}: cannot move {} after handling it: {}; it will be handed over again", spec.id(), name, e.toString());
        }
        lastListing.remove(name);
    }

    private Throwable await(InboundRequest request) {
        boolean interrupted = false;
        java.util.concurrent.CompletableFuture<?> reply = dispatcher.dispatch(request)
                .thenCompose(r -> r.collected(JobRunner.MAX_STREAMED_ANSWER_BYTES, "jobs' answer limit"));
        try {
            while (true) {
                try {
                    // The dispatcher ends every request by its deadline; this only bounds a dispatcher that would not.
                    reply.get(1, TimeUnit.DAYS);
                    return null;
                } catch (InterruptedException e) {
                    interrupted = true; // stop() interrupts the sleep; a handling in progress is let finish
                } catch (ExecutionException e) {
                    return e.getCause();
                } catch (java.util.concurrent.TimeoutException e) {
                    return e;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CageException ce) {
            return ce.code().name().toLowerCase() + ": " + ce.getMessage();
        }
        return "internal: " + cause;
    }
}
