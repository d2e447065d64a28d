package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.dist.durablecage.DurableChargeCage;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.resources.jdbc.PostgresServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable calls under faults, in the style of Jepsen (issue 14): four host JVMs in network namespaces
 * ({@code tools/netns/flock-net}). n1 and n2 are callers (cage {@code front}, each with its outbox in its own
 * PostgreSQL database), n3 and n4 run the target {@code ledger}, whose inbox and effects are ONE PostgreSQL
 * database they share. A client per caller sends keyed calls over HTTP ({@code /front/accept?key=}, answered
 * once the durable call is stored) and counts a key as accepted only on a 2xx, retrying the same key until one
 * comes. Meanwhile a nemesis loops: kill -9 a caller and restart it, kill -9 a target and restart it, SIGSTOP a
 * target for longer than the flock's failure timeout, cut the path between a caller and a target and heal it,
 * deploy a new version of the target cage live on both targets. Then everything is healed and the test waits
 * until neither caller has a pending call.
 *
 * <p>Checked in the target's database: every accepted key has exactly one effect row (0 lost, 0 doubled), except
 * a key whose calls are all reported {@code expired} (a short expiry is given to every 50th key), which may
 * have at most one. An accept the caller stored but whose answer the client never saw (the caller was killed,
 * the reply lost) is allowed: the client sends that key again, so it shows as a key stored twice, and it too
 * must take effect once; an effect of a key the test never sent fails the test. Needs root, like {@link NetnsFlockTest}; the PostgreSQL server runs in the test's own namespace and
 * the hosts reach it through {@link TcpRelay} on the LAN's caller address.
 */
class NetnsDurableCallsFaultTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CALLERS = 2;
    private static final int TARGETS = 2;
    private static final int CALLS_PER_CALLER = Integer.getInteger("cages.fault.calls", 5_000);
    /** Every this many keys, a call with {@link #SHORT_EXPIRY_MS}: those a fault holds up long enough expire. */
    private static final int SHORT_EXPIRY_EVERY = 50;
    private static final long SHORT_EXPIRY_MS = 3_000;
    private static final long FAILURE_TIMEOUT_MS = 1_200;
    /** SIGSTOP lasts this long: well beyond the failure timeout, so the flock drops the stopped host. */
    private static final long STOP_MS = 4_000;
    private static final long CUT_MS = 4_000;
    private static final long CLIENTS_DEADLINE_S = 300;
    /** {@code -Dcages.fault.outbox=h2}: the callers keep their outboxes in their own H2 database, not in PostgreSQL. */
    private static final boolean OUTBOX_IN_H2 = "h2".equals(System.getProperty("cages.fault.outbox"));

    @RegisterExtension
    @Order(0)
    static final BeforeAllCallback NEEDS_ROOT = NetnsLan.NEEDS_ROOT; // skips before PostgreSQL starts

    @RegisterExtension
    @Order(1)
    static final PostgresServer PG = new PostgresServer();

    @TempDir
    Path dir;
    /** Slot i-1 holds host n{@code i}; a restart puts the new process in its slot. */
    private final AtomicReferenceArray<HostProcess> hosts = new AtomicReferenceArray<>(CALLERS + TARGETS);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Integer> faults = new ConcurrentHashMap<>();
    private NetnsLan lan;
    private TcpRelay relay;
    private String flock;
    private FlockCertificates certificates;
    private volatile byte[] ledgerJar;
    private int relayPort;
    /** Set at teardown: clients of a failed run stop instead of retrying forever. */
    private volatile boolean stopped;
    /** The last accept that failed (status and body, or the exception), for the failure message. */
    private volatile String lastRefusal;

    @AfterEach
    void stop() throws Exception {
        stopped = true;
        List<HostProcess> all = new ArrayList<>();
        for (int i = 0; i < hosts.length(); i++) {
            if (hosts.get(i) != null) {
                all.add(hosts.get(i));
                resume(hosts.get(i)); // a stopped JVM would not stop on SIGTERM
            }
        }
        NetnsLan.stop(all, lan);
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void everyAcceptedCallTakesEffectExactlyOnceThroughKillsStopsCutsAndSwaps() throws Exception {
        lan = NetnsLan.up(CALLERS + TARGETS);
        relay = TcpRelay.start(NetnsLan.address(254), pgPort());
        relayPort = relay.port();
        prepareDatabases();
        flock = "netns-durable-" + UUID.randomUUID();
        certificates = FlockCertificates.init(dir, flock);
        ledgerJar = TestCages.build("ledger", "1.0.0", DurableChargeCage.class);
        for (int i = 1; i <= CALLERS + TARGETS; i++) {
            hosts.set(i - 1, startHost(i));
        }
        for (int i = 1; i <= CALLERS; i++) {
            HostProcess caller = hosts.get(i - 1);
            Await.until(caller.name + " sees ledger on n3 and n4", Duration.ofSeconds(60),
                    () -> caller.flockRunning("ledger").equals(Set.of("n3", "n4")));
        }
        long startedAt = System.nanoTime();

        // The clients: one per caller, keys c<caller>-<n>, each retried until a 2xx.
        Map<String, String> accepted = new ConcurrentHashMap<>(); // key -> call id
        AtomicInteger failedAttempts = new AtomicInteger();
        AtomicBoolean clientsDone = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 1; c <= CALLERS; c++) {
            int caller = c;
            clients.add(Thread.ofPlatform().name("client-n" + c).daemon().start(() -> {
                for (int n = 0; n < CALLS_PER_CALLER && !stopped; n++) {
                    String key = "c" + caller + "-" + n;
                    String query = "/front/accept?key=" + key + (n % SHORT_EXPIRY_EVERY == 0 ? "&expiryMs=" + SHORT_EXPIRY_MS : "");
                    while (!stopped) {
                        String callId = tryAccept(hosts.get(caller - 1), query);
                        if (callId != null) {
                            accepted.put(key, callId);
                            break;
                        }
                        failedAttempts.incrementAndGet();
                        pause(50); // the caller is down or cut off: try the same key again shortly
                    }
                }
            }));
        }
        Thread watcher = Thread.ofVirtual().start(() -> {
            clients.forEach(NetnsDurableCallsFaultTest::join);
            clientsDone.set(true);
        });

        // The nemesis: one fault at a time, round after round, until the clients are done.
        int round = 0;
        while (!clientsDone.get()) {
            assertTrue(System.nanoTime() - startedAt < TimeUnit.SECONDS.toNanos(CLIENTS_DEADLINE_S),
                    "the clients got " + accepted.size() + " keys accepted in " + CLIENTS_DEADLINE_S + " s, not all; last refusal: "
                            + lastRefusal);
            assertTrue(!accepted.isEmpty() || System.nanoTime() - startedAt < TimeUnit.SECONDS.toNanos(60),
                    "no key accepted in 60 s; last refusal: " + lastRefusal);
            int caller = 1 + round % CALLERS;
            int target = CALLERS + 1 + round % TARGETS;
            int other = CALLERS + 1 + (round + 1) % TARGETS;
            List<Runnable> steps = List.of(
                    () -> killAndRestart(caller),
                    () -> killAndRestart(target),
                    () -> stopAndResume(other),
                    () -> cutAndHeal(caller, target),
                    this::swapTarget);
            for (Runnable step : steps) {
                if (clientsDone.get()) {
                    break;
                }
                step.run();
                pause(1_000); // let calls flow between faults
            }
            round++;
        }
        watcher.join();
        long clientsMs = (System.nanoTime() - startedAt) / 1_000_000;

        // Heal: every host up (the nemesis restarts what it kills, heals what it cuts, resumes what it stops).
        for (int i = 1; i <= CALLERS + TARGETS; i++) {
            assertTrue(hosts.get(i - 1).isAlive(), "n" + i + " is up at the end");
        }
        Await.until("neither caller has a pending durable call", Duration.ofSeconds(150), () -> pending() == 0);
        long settledMs = (System.nanoTime() - startedAt) / 1_000_000;

        // The check, in the databases.
        Map<String, Integer> effects = effects();
        Map<String, List<String>> statuses = new HashMap<>(); // key -> status of each stored call, both callers
        int redelivered = 0; // stored calls delivered more than once (a failed, timed-out or unrecorded attempt)
        for (int i = 1; i <= CALLERS; i++) {
            for (JsonNode call : outbox(i, "")) {
                statuses.computeIfAbsent(call.path("key").asText(), k -> new ArrayList<>()).add(call.path("status").asText());
                redelivered += call.path("attempts").asInt() > 1 ? 1 : 0;
            }
        }
        Set<String> lost = new TreeSet<>();
        Set<String> doubled = new TreeSet<>();
        Set<String> expired = new TreeSet<>();
        Set<String> failed = new TreeSet<>();
        int expiredWithEffect = 0;
        for (Map.Entry<String, String> a : accepted.entrySet()) {
            String key = a.getKey();
            int count = effects.getOrDefault(key, 0);
            List<String> stored = statuses.getOrDefault(key, List.of());
            boolean onlyExpired = !stored.isEmpty() && stored.stream().allMatch("expired"::equals);
            if (stored.contains("failed") || stored.contains("cancelled")) {
                failed.add(key + " " + stored);
            }
            if (count > 1) {
                doubled.add(key + " x" + count);
            } else if (onlyExpired) {
                expired.add(key);
                expiredWithEffect += count;
            } else if (count == 0) {
                lost.add(key + " " + stored);
            }
        }
        Set<String> notSent = new TreeSet<>(effects.keySet());
        notSent.removeAll(accepted.keySet());
        int effectRows = effects.values().stream().mapToInt(Integer::intValue).sum();
        // A key stored more than once: an accept the caller stored but whose answer the client never saw (the
        // caller was killed, or the reply lost), so the client sent the key again. Its effect must still be one.
        long storedAgain = statuses.values().stream().filter(rows -> rows.size() > 1).count();
        int storedCalls = statuses.values().stream().mapToInt(List::size).sum();

        System.out.printf(Locale.ROOT, "durable calls under faults: %d accepted (%d failed attempts retried), %d stored calls (%d keys"
                        + " stored again after an unacknowledged accept), %d delivered more than once, %d effect rows, %d lost, %d doubled,"
                        + " %d expired (reported expired; %d of them took effect before expiring), %d failed, %d effects of keys never"
                        + " sent; faults: %s; clients done in %d ms, all settled in %d ms%n",
                accepted.size(), failedAttempts.get(), storedCalls, storedAgain, redelivered, effectRows, lost.size(), doubled.size(),
                expired.size(), expiredWithEffect, failed.size(), notSent.size(), new TreeMap<>(faults), clientsMs, settledMs);
        System.out.println("the callers' outboxes were in " + (OUTBOX_IN_H2 ? "their own H2 databases" : "PostgreSQL"));
        if (!expired.isEmpty()) {
            System.out.println("expired keys: " + expired);
        }

        assertEquals(CALLERS * CALLS_PER_CALLER, accepted.size(), "every key was accepted in the end");
        assertEquals(Set.of(), lost, "0 lost");
        assertEquals(Set.of(), doubled, "0 doubled");
        assertEquals(Set.of(), failed, "no call failed");
        assertEquals(Set.of(), notSent, "every effect belongs to a key the test sent");
        for (String fault : List.of("kill-caller", "kill-target", "stop-target", "cut-caller-target", "swap-target")) {
            assertTrue(faults.getOrDefault(fault, 0) > 0, "the nemesis injected " + fault + ": " + faults);
        }
    }

    // --- the nemesis -----------------------------------------------------------------------------------------

    private void killAndRestart(int i) {
        String kind = i <= CALLERS ? "kill-caller" : "kill-target";
        try {
            fault(kind, "kill -9 n" + i);
            hosts.get(i - 1).kill();
            hosts.set(i - 1, startHost(i));
            fault(null, "n" + i + " restarted");
        } catch (Exception e) {
            throw new AssertionError("restarting n" + i + " failed", e);
        }
    }

    private void stopAndResume(int i) {
        HostProcess host = hosts.get(i - 1);
        fault("stop-target", "SIGSTOP n" + i + " for " + STOP_MS + " ms (failure timeout " + FAILURE_TIMEOUT_MS + " ms)");
        signal("STOP", host);
        pause(STOP_MS);
        resume(host);
        fault(null, "SIGCONT n" + i);
    }

    private void cutAndHeal(int caller, int target) {
        try {
            fault("cut-caller-target", "cut n" + caller + " <-> n" + target + " for " + CUT_MS + " ms");
            lan.cutBetween(caller, target);
            assertTrue(!reaches(caller, target), "n" + caller + " cannot reach n" + target + "'s RPC port while the path is cut");
            pause(CUT_MS);
            lan.restoreBetween(caller, target);
            fault(null, "healed n" + caller + " <-> n" + target);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cutting n" + caller + " <-> n" + target + " failed", e);
        }
    }

    /** A new version of ledger, deployed live on both targets (a zero-drop swap on each). */
    private void swapTarget() {
        String version = "1.0." + (faults.getOrDefault("swap-target", 0) + 1);
        byte[] jar = TestCages.build("ledger", version, DurableChargeCage.class);
        ledgerJar = jar; // a target restarted from now on starts this version
        fault("swap-target", "deploy ledger " + version + " on n3 and n4");
        for (int i = CALLERS + 1; i <= CALLERS + TARGETS; i++) {
            try {
                HttpResponse<String> r = hosts.get(i - 1).deploy(jar);
                assertTrue(r.statusCode() / 100 == 2, "deploy of ledger " + version + " on n" + i + ": " + r.statusCode() + " " + r.body());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError("deploy of ledger " + version + " on n" + i + " failed", e);
            }
        }
        fault(null, "ledger " + version + " active on n3 and n4");
    }

    /** Whether a TCP connection from host {@code a}'s namespace to host {@code b}'s RPC port (7070) opens. */
    private static boolean reaches(int a, int b) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(NetnsLan.exec(a));
        command.addAll(List.of("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + NetnsLan.address(b) + "/7070"));
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }

    private void fault(String kind, String what) {
        if (kind != null) {
            faults.merge(kind, 1, Integer::sum);
        }
        System.out.println(Instant.now() + " nemesis: " + what);
    }

    private static void resume(HostProcess host) {
        signal("CONT", host);
    }

    private static void signal(String signal, HostProcess host) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(host.pid())).inheritIO().start();
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("kill -" + signal + " " + host.name + " failed", e);
        }
    }

    // --- hosts, client and databases -------------------------------------------------------------------------

    private HostProcess startHost(int i) throws IOException, InterruptedException {
        boolean caller = i <= CALLERS;
        ObjectNode resources = JSON.createObjectNode();
        ObjectNode durable = resources.putObject("durableCalls");
        if (caller && OUTBOX_IN_H2) {
            resources.putObject("resources"); // the outbox is the host's own H2 database, in its work folder
        } else if (caller) {
            resources.putObject("resources").set("calls", jdbc("calls" + i));
            durable.put("database", "calls");
        } else {
            resources.putObject("resources").set("main", jdbc("cages_test"));
            durable.putObject("inbox").put("ledger", "main"); // one inbox for both copies
        }
        Map<String, byte[]> cages = caller ? Map.of("front", TestCages.build("front", "1.0.0", DurableChargeCage.class))
                : Map.of("ledger", ledgerJar);
        ObjectNode transports = NetnsLan.flockTransports(flock, i, FAILURE_TIMEOUT_MS, 3_000);
        return HostProcess.start("n" + i, dir.resolve("n" + i), cages, transports, NetnsLan.exec(i), NetnsLan.address(i), resources,
                NetnsLan.security(transports, certificates, "n" + i));
    }

    private ObjectNode jdbc(String database) {
        return JSON.createObjectNode().put("kind", "jdbc")
                .put("url", "jdbc:postgresql://" + NetnsLan.address(254) + ":" + relayPort + "/" + database)
                .put("username", PG.user()).put("password", PG.password()).put("maxPoolSize", 10);
    }

    /** One accept; the call id on a 2xx, null on anything else (refused, cut, timed out, an error status). */
    private String tryAccept(HostProcess caller, String query) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(caller.http(query)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                lastRefusal = r.statusCode() + " " + r.body();
                return null;
            }
            JsonNode body = JSON.readTree(r.body());
            String callId = body.path("callId").asText(body.path("value").path("callId").asText(""));
            if (callId.isEmpty()) {
                throw new AssertionError("a 2xx accept without a call id: " + r.body());
            }
            return callId;
        } catch (IOException e) {
            lastRefusal = e.toString();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static int pgPort() {
        String url = PG.jdbcUrl(); // jdbc:postgresql://127.0.0.1:<port>/<db>
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.lastIndexOf('/')));
    }

    private static Connection connect(String database) throws java.sql.SQLException {
        String url = PG.jdbcUrl();
        return DriverManager.getConnection(url.substring(0, url.lastIndexOf('/') + 1) + database, PG.user(), PG.password());
    }

    private static void prepareDatabases() throws Exception {
        try (Connection c = connect("cages_test"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE effects (call_key VARCHAR(1000) NOT NULL)");
            for (int i = 1; i <= CALLERS; i++) {
                s.execute("CREATE DATABASE calls" + i);
            }
        }
    }

    /** Pending calls in both callers' outboxes, as their admin APIs list them. */
    private int pending() {
        int pending = 0;
        for (int i = 1; i <= CALLERS; i++) {
            pending += outbox(i, "&status=pending").size();
        }
        return pending;
    }

    /** Every stored call of caller n{@code i} (key, status, attempts), from its {@code GET /durable-calls}. */
    private JsonNode outbox(int i, String filter) {
        try {
            return hosts.get(i - 1).adminArray("/durable-calls?limit=100000" + filter);
        } catch (IOException e) {
            throw new AssertionError("cannot list the durable calls of n" + i + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Effect rows per key, in the database the targets share. */
    private static Map<String, Integer> effects() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = connect("cages_test"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT call_key, COUNT(*) FROM effects GROUP BY call_key")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return counts;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
