package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.testcages.caller.CallerCage;
import io.cages.testcages.ledger.LedgerCage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four hosts in network namespaces ({@code tools/netns/flock-net}); n1 calls by name, n2..n4 each run svc
 * (whose {@code sleep} is declared idempotent) and ledger (whose {@code record} is not). With slow calls of
 * both kinds in flight, n3's link is cut: n3 is alive but can answer nothing. The idempotent calls it held
 * must be answered by another copy no later than the flock's failure detection plus one more call; the
 * others must fail with the "may or may not have run" error as soon as the flock drops n3.
 *
 * <p>The hosts' RPC idle timeout is set to a minute, so the only thing that can end n3's calls in time is
 * the flock dropping it (with the default 3 s the heartbeat alone would end them only a little later than
 * the flock does, and the test could not tell the two apart). Needs root, like {@link NetnsFlockTest}.
 */
class NetnsCutInFlightTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The flock's failure detection: 1.2 s of silence (FD_ALL3), checked every fifth of it, confirmed in another
     * fifth (VERIFY_SUSPECT2): 1.68 s at most on an idle machine; the README promises "within 3 s", and on a
     * loaded one it has taken 3.3 s. The bounds below therefore start from the detection measured at n1, and
     * the absolute one from the promised 3 s.
     */
    private static final long FAILURE_TIMEOUT_MS = 1_200;
    private static final long DETECTION_PROMISED_MS = 3_000;
    /** How long each slow call runs: the calls are surely still in flight when the link is cut. */
    private static final long CALL_MS = 3_000;
    /** For a loaded machine (other JVMs share two cores): the retry's start, the HTTP answer, the polling. */
    private static final long SLACK_MS = 2_000;

    @TempDir
    Path dir;
    final List<HostProcess> hosts = new ArrayList<>();
    private NetnsLan lan;

    @BeforeEach
    void start() throws Exception {
        lan = NetnsLan.up(4);
        String flock = "netns-cut-" + UUID.randomUUID();
        byte[] svc = TestCages.withHeader(TestCages.build("svc", "1.0.0", VersionCage.class), "Cage-Idempotent", "version, sleep");
        byte[] ledger = TestCages.build("ledger", "1.0.0", LedgerCage.class);
        byte[] caller = TestCages.build("caller", "1.0.0", CallerCage.class);
        FlockCertificates certificates = FlockCertificates.init(dir, flock);
        for (int i = 1; i <= 4; i++) {
            // A long RPC idle timeout, so that only the flock's drop can end the calls in flight.
            ObjectNode transports = NetnsLan.flockTransports(flock, i, FAILURE_TIMEOUT_MS, 60_000);
            Map<String, byte[]> cages = i == 1 ? Map.of("caller", caller) : Map.of("svc", svc, "ledger", ledger);
            ObjectNode tls = NetnsLan.security(transports, certificates, "n" + i);
            hosts.add(HostProcess.start("n" + i, dir.resolve("n" + i), cages, transports, NetnsLan.exec(i), NetnsLan.address(i), null, tls));
        }
    }

    @AfterEach
    void stop() throws Exception {
        NetnsLan.stop(hosts, lan);
    }

    @Test
    void callsInFlightToACutOffHostFailOverOrFailClearlyWhenTheFlockDropsIt() throws Exception {
        HostProcess n1 = hosts.get(0);
        HostProcess n3 = hosts.get(2);
        List<HostProcess> copies = hosts.subList(1, 4);
        Await.until("n1 sees svc and ledger on n2, n3 and n4", Duration.ofSeconds(60),
                () -> n1.flockRunning("svc").equals(Set.of("n2", "n3", "n4")) && n1.flockRunning("ledger").equals(Set.of("n2", "n3", "n4")));

        // A batch of slow calls of both kinds; another batch (after this one is answered) if the router's random
        // choice left n3 without calls of either kind.
        List<Call> idempotent = new ArrayList<>();
        List<Call> ledgerCalls = new ArrayList<>();
        int heldIdempotent = 0;
        int heldLedger = 0;
        Set<String> okBySurvivors = new HashSet<>();
        for (int batch = 0; batch < 5 && (heldIdempotent == 0 || heldLedger == 0); batch++) {
            for (Call call : idempotent) { // an earlier batch: nothing was cut yet, all answer ok
                assertEquals(200, call.await().status(), call.await().body());
            }
            for (Call call : ledgerCalls) {
                assertEquals(200, call.await().status(), call.await().body());
                JsonNode answer = JSON.readTree(call.await().body());
                if (!answer.path("host").asText().equals("n3")) {
                    okBySurvivors.add(answer.path("value").path("booked").asText());
                }
            }
            idempotent.clear();
            ledgerCalls.clear();
            for (int i = 0; i < 9; i++) {
                idempotent.add(Call.send(n1, "/caller/relay?target=svc&op=sleep&ms=" + CALL_MS));
                ledgerCalls.add(Call.send(n1, "/caller/relay?target=ledger&op=record&ms=" + CALL_MS + "&id=B" + batch + "-" + i));
            }
            int sent = idempotent.size();
            Await.until("every call of the batch is running on a copy", Duration.ofSeconds(10),
                    () -> sum(copies, "svc") == sent && sum(copies, "ledger") == sent);
            heldIdempotent = running(n3, "svc");
            heldLedger = running(n3, "ledger");
        }
        assertTrue(heldIdempotent > 0 && heldLedger > 0, "n3 runs calls of both kinds: " + heldIdempotent + " svc, " + heldLedger + " ledger");

        long commandAt = System.nanoTime();
        lan.cut(3);
        // The link goes down as the command's last step; its start-up (a shell, then ip) can take a second on
        // a loaded machine, so the figures count from its end.
        long cutAt = System.nanoTime();
        long commandMs = (cutAt - commandAt) / 1_000_000;
        AtomicLong detectedMs = new AtomicLong(-1);
        Thread watcher = Thread.ofVirtual().start(() -> {
            Await.until("n3 leaves n1's directory", Duration.ofSeconds(30), () -> !n1.flockMembers().contains("n3"));
            detectedMs.set((System.nanoTime() - cutAt) / 1_000_000);
        });

        long lastIdempotentMs = 0;
        Set<String> answeredBy = new HashSet<>();
        for (Call call : idempotent) {
            Answer answer = call.await();
            assertEquals(200, answer.status(), "an idempotent call failed: " + answer.body());
            answeredBy.add(JSON.readTree(answer.body()).path("host").asText());
            lastIdempotentMs = Math.max(lastIdempotentMs, (answer.atNanos() - cutAt) / 1_000_000);
        }
        long lastLedgerFailureMs = 0;
        int clearFailures = 0;
        for (Call call : ledgerCalls) {
            Answer answer = call.await();
            if (answer.status() == 200) {
                JsonNode value = JSON.readTree(answer.body());
                assertTrue(Set.of("n2", "n4").contains(value.path("host").asText()), answer.body());
                okBySurvivors.add(value.path("value").path("booked").asText());
            } else {
                assertEquals(503, answer.status(), answer.body());
                assertTrue(answer.body().contains("on host 'n3'") && answer.body().contains("may or may not have run")
                        && answer.body().contains("not declared idempotent"), answer.body());
                clearFailures++;
                lastLedgerFailureMs = Math.max(lastLedgerFailureMs, (answer.atNanos() - cutAt) / 1_000_000);
            }
        }
        watcher.join(TimeUnit.SECONDS.toMillis(35));

        System.out.printf(Locale.ROOT, "netns cut with calls in flight: n3 held %d idempotent and %d ledger calls; n1 dropped n3 %d ms after"
                        + " the cut; the last idempotent call was answered (by %s) %d ms after the cut (%d ms after detection, a call"
                        + " takes %d ms); the %d ledger calls n3 held failed clearly, the last %d ms after the cut (cut command: %d ms)%n",
                heldIdempotent, heldLedger, detectedMs.get(), new TreeSet<>(answeredBy), lastIdempotentMs,
                lastIdempotentMs - detectedMs.get(), CALL_MS, clearFailures, lastLedgerFailureMs, commandMs);

        assertTrue(detectedMs.get() > 0, "n1 dropped n3 from its directory");
        assertTrue(Set.of("n2", "n4").containsAll(answeredBy), "the cut-off host answered nothing: " + answeredBy);
        assertTrue(lastIdempotentMs <= detectedMs.get() + CALL_MS + SLACK_MS,
                "idempotent calls answered by another copy within detection (" + detectedMs.get() + " ms) + one call (" + CALL_MS
                        + ") + slack (" + SLACK_MS + ") of the cut: " + lastIdempotentMs + " ms");
        assertTrue(lastIdempotentMs <= DETECTION_PROMISED_MS + CALL_MS + SLACK_MS,
                "and within the promised detection (" + DETECTION_PROMISED_MS + ") + one call + slack: " + lastIdempotentMs + " ms");
        assertEquals(heldLedger, clearFailures, "exactly the ledger calls n3 held failed, each with the clear error");
        assertTrue(lastLedgerFailureMs <= Math.min(detectedMs.get(), DETECTION_PROMISED_MS) + SLACK_MS,
                "they failed when the flock dropped n3, not at the idle timeout or deadline: " + lastLedgerFailureMs + " ms");

        // Server side: the survivors booked exactly the ledger calls answered ok by them (in every batch), each
        // once; the calls lost with n3 were not booked again elsewhere.
        List<String> bookedBySurvivors = new ArrayList<>();
        for (HostProcess survivor : List.of(hosts.get(1), hosts.get(3))) {
            Answer seen = Call.send(survivor, "/ledger/seen").await();
            assertEquals(200, seen.status(), seen.body());
            JSON.readTree(seen.body()).path("booked").forEach(id -> bookedBySurvivors.add(id.asText()));
        }
        assertEquals(bookedBySurvivors.size(), new HashSet<>(bookedBySurvivors).size(), "no ledger call was booked twice: " + bookedBySurvivors);
        assertEquals(okBySurvivors, new HashSet<>(bookedBySurvivors), "survivors booked exactly the ledger calls they answered");
    }

    private static int sum(List<HostProcess> hosts, String cage) {
        int total = 0;
        for (HostProcess host : hosts) {
            total += running(host, cage);
        }
        return total;
    }

    /** Requests of {@code cage} running on {@code host} now; a failed query fails the test. */
    private static int running(HostProcess host, String cage) {
        try {
            for (JsonNode c : JSON.readTree(host.admin("/cages").body())) {
                if (c.path("name").asText().equals(cage)) {
                    return c.path("running").asInt();
                }
            }
            return 0;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cannot read the cages of " + host.name + ": " + e, e);
        }
    }

    /** An HTTP answer and when its last byte arrived. */
    record Answer(int status, String body, long atNanos) {
    }

    /**
     * One GET on its own connection, over a plain socket: unlike the JDK client, it never repeats a request
     * by itself, so every answer counted is the host's answer to one request.
     */
    record Call(CompletableFuture<Answer> answer) {

        static Call send(HostProcess host, String pathAndQuery) {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    answer.complete(get(host.address, host.httpPort, pathAndQuery));
                } catch (Exception e) {
                    answer.completeExceptionally(e);
                }
            });
            return new Call(answer);
        }

        Answer await() {
            try {
                return answer.get(40, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("no HTTP answer: " + e, e);
            }
        }

        private static Answer get(String address, int port, String pathAndQuery) throws IOException {
            try (Socket socket = new Socket(address, port)) {
                socket.setSoTimeout(40_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                String statusLine = line(in);
                int length = -1;
                for (String header = line(in); !header.isEmpty(); header = line(in)) {
                    if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(header.substring("content-length:".length()).trim());
                    }
                }
                if (length < 0) {
                    throw new IOException("no Content-Length in the answer to " + pathAndQuery + ": " + statusLine);
                }
                byte[] body = in.readNBytes(length);
                long at = System.nanoTime();
                return new Answer(Integer.parseInt(statusLine.split(" ")[1]), new String(body, StandardCharsets.UTF_8), at);
            }
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("the connection closed inside the answer's head");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }
    }
}
