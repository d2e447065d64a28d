package io.cages.transport.jobs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.host.testing.Await;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real time and a real folder: complete files only, each handled once, in name order, failures kept with reasons. */
class FolderWatchTest {

    private static final int FILES = 1_000;
    private static final int SLOW = 50;
    private static final int FAILING = 20;

    @TempDir
    Path inbox;

    @Test
    void thousandFilesSomeWrittenSlowlySomeFailingAreEachHandledOnceAndOnlyWhenComplete() throws Exception {
        Set<String> failing = new TreeSet<>();
        for (int i = 0; i < FAILING; i++) {
            failing.add(name(i * 47 + 3));
        }
        Map<String, AtomicInteger> succeeded = new ConcurrentHashMap<>();
        List<String> partial = new CopyOnWriteArrayList<>();
        List<String> order = new CopyOnWriteArrayList<>();
        FakeDispatcher handler = new FakeDispatcher(request -> {
            String name = request.attributes().get("file.name");
            String body = new String(request.body(), StandardCharsets.UTF_8);
            if (!body.equals(content(name)) || !request.attributes().get("file.size").equals(Integer.toString(request.body().length))) {
                partial.add(name + " (" + request.body().length + " bytes)");
            }
            order.add(name);
            if (failing.contains(name)) {
                return CageException.badRequest("cannot parse " + name);
            }
            succeeded.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            return null;
        });
        Files.writeString(inbox.resolve("being-written.part"), "never taken");
        Files.writeString(inbox.resolve(".hidden"), "never taken");
        List<Thread> slowWriters = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            if (i % (FILES / SLOW) != 7) {
                Files.writeString(inbox.resolve(name(i)), content(name(i)));
            }
        }
        FolderWatch watch = new FolderWatch(new FolderSpec("orders", "inbox", "ingest", inbox, Duration.ofMillis(150), 2,
                Duration.ofSeconds(5)), handler);
        watch.start();
        for (int i = 7; i < FILES; i += FILES / SLOW) {
            String name = name(i);
            slowWriters.add(Thread.ofVirtual().start(() -> writeInPieces(inbox.resolve(name), content(name))));
        }
        for (Thread t : slowWriters) {
            t.join();
        }
        Await.until("every file done or failed", Duration.ofSeconds(40),
                () -> count(inbox.resolve("done")) == FILES - FAILING && count(inbox.resolve("failed")) == 2 * FAILING);
        watch.stop();
        assertTrue(watch.awaitEnd(5_000));

        assertEquals(List.of(), partial, "no partial file handed over");
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < FILES; i++) {
            if (!failing.contains(name(i))) {
                expected.add(name(i));
            }
        }
        assertEquals(expected, new TreeSet<>(succeeded.keySet()));
        assertEquals(List.of(), succeeded.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey).toList(),
                "handled once each");
        for (String name : failing) {
            assertEquals(content(name), Files.readString(inbox.resolve("failed").resolve(name)));
            String reason = Files.readString(inbox.resolve("failed").resolve(name + ".reason"));
            assertTrue(reason.contains("attempts: 2") && reason.contains("bad_request: cannot parse " + name), reason);
        }
        assertEquals(2 * FAILING, order.stream().filter(failing::contains).count(), "each failing file tried maxAttempts times");
        try (Stream<Path> left = Files.list(inbox)) {
            assertEquals(Set.of(".hidden", "being-written.part", "done", "failed"),
                    left.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        assertEquals(FILES - FAILING, watch.handled());
        assertEquals(FAILING, watch.failedFiles());
        // the fast files were all complete at the first two listings: taken in name order
        List<String> firstRound = order.stream().limit(100).toList();
        assertEquals(firstRound.stream().sorted().toList(), firstRound);
    }

    private static void writeInPieces(Path file, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        int piece = bytes.length / 10 + 1;
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int off = 0; off < bytes.length; off += piece) {
                out.write(bytes, off, Math.min(piece, bytes.length - off));
                out.flush();
                Thread.sleep(3); // a writer that trickles: each listing sees it grow
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String name(int i) {
        return "order-%04d.csv".formatted(i);
    }

    private static String content(String name) {
        return "file " + name + "\n" + "x".repeat(200 + name.hashCode() % 100) + "\nEND\n";
    }
}
