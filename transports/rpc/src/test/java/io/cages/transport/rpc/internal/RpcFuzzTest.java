package io.cages.transport.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.Deadline;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.Reply;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTransport;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random, truncated and corrupted frames from raw sockets against a real host's RPC port: the host keeps
 * serving a good client, and Netty's paranoid leak detector (counted by {@link LeakCounter}) reports nothing.
 * Re-run a failure with {@code -Dfuzz.seed=<printed seed>}.
 */
class RpcFuzzTest {

    private static final int CONNECTIONS = 300;
    private static final int MAX_FRAME = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void garbageNeverCrashesTheHostNorLeaksBuffers() throws Exception {
        assertTrue(LeakCounter.installed(), "the leak counter must be in place before buffers are used");
        assertTrue(LeakCounter.detectsALeak(Duration.ofSeconds(20)), "a deliberate leak is reported, so the check below means something");
        int baseline = LeakCounter.leaks();

        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("RpcFuzzTest seed: " + seed + " (re-run with -Dfuzz.seed=" + seed + ")");
        RpcSettings settings = RpcSettings.defaults().withBind("127.0.0.1", 0).withMaxFrameBytes(MAX_FRAME);
        RpcTransport transport = new RpcTransport(settings);
        try (Host host = Host.start(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("c")), List.of(transport));
             RpcClient client = new RpcClient(settings)) {
            host.admin().deploy(TestCages.build("svc", "1.0.0", VersionCage.class), "test");
            InetSocketAddress peer = transport.localAddress();

            Random seeds = new Random(seed);
            AtomicInteger frames = new AtomicInteger();
            List<Future<Boolean>> runs = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                for (int c = 0; c < CONNECTIONS; c++) {
                    long connectionSeed = seeds.nextLong();
                    runs.add(pool.submit(() -> attack(peer, new Random(connectionSeed), frames)));
                }
                for (Future<Boolean> run : runs) {
                    assertTrue(run.get(60, TimeUnit.SECONDS), "the server closed or answered every connection within 10 s");
                }
            }
            System.out.println("RpcFuzzTest sent " + frames.get() + " frames on " + CONNECTIONS + " connections; refused: "
                    + transport.refusedFrames() + ", requests: " + transport.requests());
            assertTrue(frames.get() >= 3_000, "sent " + frames.get());
            assertTrue(transport.refusedFrames() > 0);

            Reply reply = client.call(peer, "after-fuzz", "svc", "version", Map.of(), null, null, Deadline.afterMillis(10_000), false)
                    .get(15, TimeUnit.SECONDS);
            assertEquals("1.0.0", reply.value().get("version").asText(), "the host still answers a good client");
            try (RawPeer raw = new RawPeer(peer)) {
                raw.send(new Frame.Control(FrameType.PING, 1));
                assertEquals(new Frame.Control(FrameType.PONG, 1), raw.read());
            }
        }
        assertEquals(0, LeakCounter.leaksAfter(baseline, Duration.ofSeconds(2)), "buffers leaked; see the LEAK report in the output");
    }

    /** One connection: 5 to 25 mutated frames, then half-close and read until the server closes. */
    private static boolean attack(InetSocketAddress peer, Random random, AtomicInteger frames) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = 5 + random.nextInt(21);
        for (int i = 0; i < count; i++) {
            out.write(mutate(random));
            frames.incrementAndGet();
        }
        try (RawPeer raw = new RawPeer(peer)) {
            try {
                raw.write(out.toByteArray());
                raw.socket.shutdownOutput();
            } catch (java.io.IOException closedEarly) {
                return true; // the server refused the stream and closed before we finished writing
            }
            return raw.drainUntilClosed();
        }
    }

    private static byte[] mutate(Random random) {
        byte[] good = RawPeer.bytes(template(random));
        return switch (random.nextInt(7)) {
            case 0 -> good;
            case 1 -> { // random body behind a correct length
                byte[] body = new byte[random.nextInt(64)];
                random.nextBytes(body);
                yield prefixed(body);
            }
            case 2 -> { // a valid frame cut short, length rewritten to match: truncated fields
                int cut = 4 + random.nextInt(good.length - 4);
                byte[] truncated = java.util.Arrays.copyOf(good, cut);
                ByteBuffer.wrap(truncated).putInt(0, cut - 4);
                yield truncated;
            }
            case 3 -> { // bit flips after the length
                byte[] flipped = good.clone();
                for (int f = 1 + random.nextInt(3); f > 0; f--) {
                    int at = 4 + random.nextInt(flipped.length - 4);
                    flipped[at] ^= (byte) (1 << random.nextInt(8));
                }
                yield flipped;
            }
            case 4 -> { // a length beyond the limit
                byte[] huge = new byte[4 + random.nextInt(32)];
                ByteBuffer.wrap(huge).putInt(0, MAX_FRAME + 1 + random.nextInt(Integer.MAX_VALUE - MAX_FRAME - 1));
                yield huge;
            }
            case 5 -> { // pure noise, length included
                byte[] noise = new byte[1 + random.nextInt(48)];
                random.nextBytes(noise);
                yield noise;
            }
            default -> { // a length field that claims more than what follows: the stream ends mid-frame
                byte[] claim = java.util.Arrays.copyOf(good, Math.max(4, good.length - 1 - random.nextInt(good.length - 3)));
                ByteBuffer.wrap(claim).putInt(0, good.length - 4);
                yield claim;
            }
        };
    }

    private static byte[] prefixed(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static Frame template(Random random) {
        long id = 1 + random.nextInt(1_000);
        return switch (random.nextInt(5)) {
            case 0 -> new Frame.Request(id, random.nextBoolean(), 1 + random.nextInt(5_000), "fuzz", "svc", "version", "t",
                    null, Map.of("n", random.nextInt(), "s", "x".repeat(random.nextInt(40))), new byte[random.nextInt(32)]);
            case 1 -> new Frame.Request(id, false, 2_000, "fuzz", "nope", "op", null, "application/octet-stream",
                    Map.of("list", List.of(1, 2, Map.of("deep", true))), null);
            case 2 -> new Frame.Control(FrameType.PING, id);
            case 3 -> new Frame.Response(id, "1.0.0", Map.of("a", "b"), null, new byte[] {1, 2}, "x/y");
            default -> new Frame.Error(id, "INTERNAL", "boom", "h", "c", "o");
        };
    }
}
