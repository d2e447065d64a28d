package io.cages.transport.flock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.Deadline;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.FlockMember;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.TestCages;
import io.cages.testcages.caller.CallerCage;
import io.cages.testcages.rotation.RecordingCage;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTls;
import io.cages.transport.rpc.RpcTransport;
import io.cages.transport.rpc.internal.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full CA rotation on every host of a three-host flock over mutual TLS, while 8 client threads call cages by name
 * across hosts: (a) every CA bundle holds the old and the new CA, (b) every host gets a certificate of the new CA, one
 * host at a time, (c) every bundle holds the new CA only. Each step waits until the hosts use what it wrote. No call
 * may fail, be lost or run twice; afterwards every live RPC connection was authenticated with the new CA only.
 */
class FlockRotationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] NAMES = {"h1", "h2", "h3"};
    private static final int CALLERS = 8;
    /** Before (a), after (a), after (b) on h1, h2, h3, after (c). */
    private static final String[] PHASES = {"start", "bundles old+new", "h1 new cert", "h2 new cert", "h3 new cert", "bundles new only"};
    private static final Duration STEP = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();
    final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        hosts.forEach(Host::close);
        System.getProperties().remove(RecordingCage.EXECUTED);
    }

    private HostConfig config(String flock, int[] ports, int index, Path tls) {
        ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                .put("bind", "127.0.0.1").put("port", ports[index]).put("rpcPort", 0).put("publishMs", 100);
        for (int i = 0; i < ports.length; i++) {
            if (i != index) {
                section.withArray("hosts").add("127.0.0.1:" + ports[i]);
            }
        }
        String name = NAMES[index];
        return HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name)).withCageConfigDir(dir.resolve("configs"))
                .withTransport("flock", section)
                .withTls(new HostConfig.Tls(tls.resolve("flock-ca.pem"), tls.resolve("host.pem"), tls.resolve("host.key")));
    }

    @Test
    void aFullCaRotationOnEveryHostUnderLoadFailsNoCallAndLeavesOnlyNewConnections() throws Exception {
        String flock = "rotation-" + UUID.randomUUID();
        TestPki.Issued oldCa = TestPki.ca(flock);
        TestPki.Issued newCa = TestPki.ca(flock); // same subject as the old one, another key: told apart by signature
        ConcurrentMap<String, Integer> executed = new ConcurrentHashMap<>();
        System.getProperties().put(RecordingCage.EXECUTED, executed);

        int[] ports = {Ports.free(), Ports.free(), Ports.free()};
        Path[] tlsDirs = new Path[3];
        X509Certificate[] oldCerts = new X509Certificate[3];
        FlockTransport[] flocks = new FlockTransport[3];
        for (int i = 0; i < 3; i++) {
            tlsDirs[i] = dir.resolve(NAMES[i] + "-tls");
            TestPki.Issued cert = TestPki.host(oldCa, NAMES[i], flock);
            oldCerts[i] = cert.cert();
            TestPki.write(tlsDirs[i], cert, oldCa);
            flocks[i] = new FlockTransport();
            hosts.add(Host.start(config(flock, ports, i, tlsDirs[i]), List.of(flocks[i])));
        }
        for (int i = 0; i < 3; i++) {
            hosts.get(i).admin().deploy(TestCages.build("caller", "1.0.0", CallerCage.class), "test");
            hosts.get(i).admin().deploy(TestCages.build("svc-" + NAMES[i], "1.0.0", RecordingCage.class), "test");
        }
        for (int i = 0; i < 3; i++) {
            Host h = hosts.get(i);
            Await.until(NAMES[i] + " sees the other hosts' cages", STEP, () -> h.admin().flock().stream()
                    .filter(m -> !m.self() && m.cages().stream().anyMatch(c -> c.startsWith("svc-"))).count() == 2);
        }

        // The load: thread t calls from host t % 3, by name, the cage of one of the two other hosts (alternating).
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger phase = new AtomicInteger();
        AtomicLongArray crossed = new AtomicLongArray(PHASES.length * 9); // [phase][from * 3 + answering host]
        Set<String> sent = ConcurrentHashMap.newKeySet();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < CALLERS; t++) {
            int from = t % 3;
            String thread = "c" + t;
            callers.add(Thread.ofPlatform().name("rotation-caller-" + t).start(() -> {
                Dispatcher d = hosts.get(from).dispatcher();
                for (long seq = 0; running.get(); seq++) {
                    int to = (from + 1 + (int) (seq % 2)) % 3;
                    String id = thread + "-" + seq;
                    sent.add(id);
                    try {
                        JsonNode answer = d.dispatch(new InboundRequest(d.newRequestId(), "caller", "relay",
                                Map.of("target", "svc-" + NAMES[to], "op", "run", "id", id), null, null, null, "test", null))
                                .get(20, TimeUnit.SECONDS).value();
                        String host = answer.path("host").asText();
                        if (!host.equals(NAMES[to]) || !id.equals(answer.path("value").path("id").asText())) {
                            failures.add(id + ": answered by " + host + ": " + answer);
                        } else {
                            crossed.incrementAndGet(phase.get() * 9 + from * 3 + to);
                        }
                    } catch (Exception e) {
                        failures.add(id + " (" + NAMES[from] + " -> " + NAMES[to] + "): " + messages(e));
                    }
                }
            }));
        }
        awaitCallsOnEveryPath(crossed, 0);

        // (a) Every bundle: old CA + new CA.
        for (Path tls : tlsDirs) {
            TestPki.writeBundle(tls, oldCa, newCa);
        }
        for (int i = 0; i < 3; i++) {
            RpcTls tls = flocks[i].tls();
            Await.until(NAMES[i] + " trusts both CAs", STEP, () -> tls.credentials().authorities().size() == 2);
        }
        phase.set(1);
        awaitCallsOnEveryPath(crossed, 1);

        // An outsider that never re-reads its files (old CA only) holds an idle connection to h1 from now on: h1 must
        // end it when it stops trusting the old CA, as no client drain will.
        Path outsiderTls = dir.resolve("h9-tls");
        TestPki.write(outsiderTls, TestPki.host(oldCa, "h9", flock), oldCa);
        RpcTls outsiderCredentials = RpcTls.once(outsiderTls.resolve("flock-ca.pem"), outsiderTls.resolve("host.pem"),
                outsiderTls.resolve("host.key"), "h9", flock);
        closing.add(outsiderCredentials);
        RpcClient outsider = new RpcClient(RpcSettings.defaults(), outsiderCredentials);
        closing.add(outsider);
        InetSocketAddress h1Rpc = new InetSocketAddress("127.0.0.1", flocks[0].rpcPort());
        // No such cage: answered (not executed), and the connection stays open, idle but for heartbeats.
        outsider.call(h1Rpc, "outsider", "no-such-cage", "run", Map.of(), null, null, Deadline.afterMillis(10_000), false)
                .handle((reply, failure) -> null).get(15, TimeUnit.SECONDS);
        assertEquals(1, outsider.openConnections(h1Rpc));

        // (b) One host at a time: a certificate of the new CA; its client moves its calls to connections that present it.
        for (int i = 0; i < 3; i++) {
            TestPki.Issued fresh = TestPki.host(newCa, NAMES[i], flock);
            TestPki.writeHost(tlsDirs[i], fresh);
            RpcTls tls = flocks[i].tls();
            Await.until(NAMES[i] + " uses its new certificate", STEP, () -> tls.credentials().certificate().equals(fresh.cert()));
            X509Certificate old = oldCerts[i];
            Await.until("no connection from " + NAMES[i] + " presents its old certificate", STEP,
                    () -> allConnections(flocks).stream().noneMatch(c -> c.peer().equals(old)));
            phase.set(2 + i);
            awaitCallsOnEveryPath(crossed, 2 + i);
            assertMembership();
        }

        // (c) Every bundle: the new CA only.
        for (Path tls : tlsDirs) {
            TestPki.writeBundle(tls, newCa);
        }
        for (int i = 0; i < 3; i++) {
            RpcTls tls = flocks[i].tls();
            Await.until(NAMES[i] + " trusts the new CA only", STEP,
                    () -> tls.credentials().authorities().equals(List.of(newCa.cert())));
        }
        Await.until("every live connection authenticated both sides with the new CA", STEP,
                () -> allConnections(flocks).stream().allMatch(c -> issuedBy(c.peer(), newCa) && issuedBy(c.local(), newCa)));
        Await.until("h1 closed the outsider's idle connection of the removed CA", STEP,
                () -> outsider.openConnections(h1Rpc) == 0);
        phase.set(5);
        awaitCallsOnEveryPath(crossed, 5);

        running.set(false);
        for (Thread caller : callers) {
            caller.join(30_000);
        }

        long drained = 0;
        long closedUntrusted = 0;
        long refusedHandshakes = 0;
        for (FlockTransport f : flocks) {
            drained += f.rpcClient().drainedConnections();
            closedUntrusted += f.rpcTransport().closedUntrusted();
            refusedHandshakes += f.rpcTransport().refusedConnections();
        }
        List<RpcTransport.TlsConnection> live = allConnections(flocks);
        StringBuilder perPhase = new StringBuilder();
        for (int p = 0; p < PHASES.length; p++) {
            long calls = 0;
            for (int k = 0; k < 9; k++) {
                calls += crossed.get(p * 9 + k);
            }
            perPhase.append(p == 0 ? "" : ", ").append(PHASES[p]).append(": ").append(calls);
        }
        System.out.printf("rotation under load: %d calls sent, %d executed, %d failed (%s); connections drained by clients %d,"
                        + " closed by servers as untrusted %d, refused in handshake %d; live connections at the end %d (all new CA)%n",
                sent.size(), executed.size(), failures.size(), perPhase, drained, closedUntrusted, refusedHandshakes, live.size());

        assertEquals(List.of(), failures.subList(0, Math.min(failures.size(), 10)), failures.size() + " failed calls");
        assertEquals(new TreeMap<>(Map.of()), doubled(executed), "calls that ran more than once");
        assertEquals(sent, executed.keySet(), "every call sent ran, and nothing else did");
        assertEquals(0, refusedHandshakes, "handshakes refused during the rotation");
        assertTrue(closedUntrusted >= 1, "the outsider's connection was closed by h1");
        assertTrue(drained >= 3, "connections drained by clients: " + drained);
        assertTrue(live.stream().allMatch(c -> issuedBy(c.peer(), newCa) && issuedBy(c.local(), newCa)), "old connections left");
        assertMembership();
    }

    /**
     * The membership (JGroups) takes the files at the start only: after a full rotation a host restarted with the
     * new certificate and the new-CA-only bundle must still be let in by the hosts that kept running since before it.
     */
    @Test
    void aHostRestartedAfterTheRotationRejoinsTheHostsThatKeptRunning() throws Exception {
        String flock = "rotation-" + UUID.randomUUID();
        TestPki.Issued oldCa = TestPki.ca(flock);
        TestPki.Issued newCa = TestPki.ca(flock);
        int[] ports = {Ports.free(), Ports.free(), Ports.free()};
        Path[] tlsDirs = new Path[3];
        FlockTransport[] flocks = new FlockTransport[3];
        for (int i = 0; i < 3; i++) {
            tlsDirs[i] = dir.resolve(NAMES[i] + "-tls");
            TestPki.write(tlsDirs[i], TestPki.host(oldCa, NAMES[i], flock), oldCa);
            flocks[i] = new FlockTransport();
            hosts.add(Host.start(config(flock, ports, i, tlsDirs[i]), List.of(flocks[i])));
        }
        awaitMembers(hosts, List.of("h1", "h2", "h3"));
        for (int i = 0; i < 3; i++) {
            TestPki.writeBundle(tlsDirs[i], oldCa, newCa);
            RpcTls tls = flocks[i].tls();
            Await.until(NAMES[i] + " trusts both CAs", STEP, () -> tls.credentials().authorities().size() == 2);
        }
        for (int i = 0; i < 3; i++) {
            TestPki.Issued fresh = TestPki.host(newCa, NAMES[i], flock);
            TestPki.writeHost(tlsDirs[i], fresh);
            RpcTls tls = flocks[i].tls();
            Await.until(NAMES[i] + " uses its new certificate", STEP, () -> tls.credentials().certificate().equals(fresh.cert()));
        }
        for (int i = 0; i < 3; i++) {
            TestPki.writeBundle(tlsDirs[i], newCa);
            RpcTls tls = flocks[i].tls();
            Await.until(NAMES[i] + " trusts the new CA only", STEP, () -> tls.credentials().authorities().equals(List.of(newCa.cert())));
        }
        awaitMembers(hosts, List.of("h1", "h2", "h3"));

        hosts.remove(2).close();
        awaitMembers(hosts, List.of("h1", "h2"));
        hosts.add(Host.start(config(flock, ports, 2, tlsDirs[2]), List.of(new FlockTransport())));
        awaitMembers(hosts, List.of("h1", "h2", "h3"));
    }

    private static void awaitMembers(List<Host> hosts, List<String> names) {
        for (Host h : hosts) {
            Await.until(h.admin() + " lists " + names, STEP,
                    () -> h.admin().flock().stream().map(FlockMember::name).sorted().toList().equals(names));
        }
    }

    /** In the phase just begun, every host has answered calls from each other host (the calls cross hosts throughout). */
    private static void awaitCallsOnEveryPath(AtomicLongArray crossed, int phase) {
        Await.until("calls between every pair of hosts in phase '" + PHASES[phase] + "'", STEP, () -> {
            for (int from = 0; from < 3; from++) {
                for (int to = 0; to < 3; to++) {
                    if (from != to && crossed.get(phase * 9 + from * 3 + to) < 20) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** The membership (JGroups, credentials read at the start) never lost a host during the rotation. */
    private void assertMembership() {
        for (Host h : hosts) {
            assertEquals(List.of("h1", "h2", "h3"), h.admin().flock().stream().map(FlockMember::name).sorted().toList());
        }
    }

    private static List<RpcTransport.TlsConnection> allConnections(FlockTransport[] flocks) {
        List<RpcTransport.TlsConnection> all = new ArrayList<>();
        for (FlockTransport f : flocks) {
            all.addAll(f.rpcTransport().tlsConnections());
        }
        return all;
    }

    private static boolean issuedBy(X509Certificate cert, TestPki.Issued ca) {
        try {
            cert.verify(ca.cert().getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Map<String, Integer> doubled(Map<String, Integer> executed) {
        Map<String, Integer> more = new TreeMap<>();
        executed.forEach((id, times) -> {
            if (times != 1) {
                more.put(id, times);
            }
        });
        return more;
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
