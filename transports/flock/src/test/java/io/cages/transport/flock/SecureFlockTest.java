package io.cages.transport.flock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.FlockMember;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.transport.flock.internal.FlockJoinToken;
import io.cages.transport.flock.internal.Introspect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A flock whose hosts hold certificates from its CA (JGroups over TCP on loopback, static discovery): they form
 * the flock and read each other's directory; hosts without such a certificate are refused, and the directory
 * crosses the wire encrypted.
 */
class SecureFlockTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();
    final ListAppender<ILoggingEvent> refusals = new ListAppender<>();
    String flock;
    FlockCa ca;
    int[] ports;
    int keyExchangePort;

    @BeforeEach
    void setUp() throws Exception {
        flock = "secure-" + UUID.randomUUID();
        ca = FlockCa.create(flock);
        ports = new int[] {Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free()};
        keyExchangePort = Ports.free();
        refusals.start();
        ((Logger) LoggerFactory.getLogger(FlockJoinToken.class.getPackageName())).addAppender(refusals);
    }

    @AfterEach
    void tearDown() throws Exception {
        ((Logger) LoggerFactory.getLogger(FlockJoinToken.class.getPackageName())).detachAppender(refusals);
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** Static discovery on loopback: member {@code i} at ports[i], pointed at the first two (the good hosts). */
    private ObjectNode section(String flockName, int i) {
        ObjectNode section = JSON.createObjectNode().put("name", flockName).put("discovery", "static").put("bind", "127.0.0.1")
                .put("port", ports[i]).put("rpcPort", 0).put("publishMs", 100).put("keyExchangePort", keyExchangePort);
        for (int j = 0; j < 2; j++) {
            if (j != i) {
                section.withArray("hosts").add("127.0.0.1:" + ports[j]);
            }
        }
        return section;
    }

    private Host host(String name, int i, FlockCredentials credentials) throws Exception {
        Host host = Host.start(HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name)).withCageConfigDir(dir.resolve("configs"))
                .withTransport("flock", section(flock, i)), List.of(new FlockTransport(credentials)));
        open.add(host);
        return host;
    }

    private static Set<String> members(Host host) {
        return host.admin().flock().stream().map(FlockMember::name).collect(Collectors.toSet());
    }

    @Test
    void hostsWithTheFlocksCertificatesFormTheFlockAndRogueHostsAreRefused() throws Exception {
        Host h1 = host("h1", 0, ca.host("h1", flock));
        Host h2 = host("h2", 1, ca.host("h2", flock));
        h2.admin().deploy(TestCages.build("svc", "1.0.0", VersionCage.class), "test");
        Await.until("h1 sees svc on h2 in the directory", Duration.ofSeconds(20), () -> h1.admin().flock().stream()
                .anyMatch(m -> m.name().equals("h2") && m.cages().contains("svc@1.0.0")));
        Await.until("h2 lists h1", Duration.ofSeconds(20), () -> members(h2).equals(Set.of("h1", "h2")));

        // Four rogues pointed at h1 and h2: one with a certificate of its own (the flock's name in it, not its CA's
        // signature), one from another flock's CA, one from this CA but naming another flock, and one with no
        // credentials (the open stack). In parallel:
        // a refused joiner waits out its JOIN attempts.
        FlockCa otherCa = FlockCa.create("other");
        Map<String, FlockCredentials> rogues = new java.util.HashMap<>(Map.of(
                "rogue-self", FlockCa.selfSigned("rogue-self", flock),
                "rogue-other-ca", otherCa.host("rogue-other-ca", flock),
                "rogue-other-flock", ca.host("rogue-other-flock", "other-" + flock)));
        rogues.put("rogue-open", null); // no credentials: the open stack, no token at all
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(rogues.size());
        int i = 2;
        for (Map.Entry<String, FlockCredentials> rogue : rogues.entrySet()) {
            FlockSettings settings = FlockSettings.from(section(flock, i++));
            Thread.ofVirtual().start(() -> {
                try {
                    Introspect.Member member = Introspect.join(settings, rogue.getValue(), rogue.getKey());
                    synchronized (open) {
                        open.add(member);
                    }
                    outcomes.put(rogue.getKey(), member);
                } catch (Exception | Error refused) {
                    outcomes.put(rogue.getKey(), refused);
                } finally {
                    done.countDown();
                }
            });
        }
        Await.until("every rogue's join ended", Duration.ofSeconds(60), () -> done.getCount() == 0);
        for (Map.Entry<String, Object> outcome : outcomes.entrySet()) {
            if (outcome.getValue() instanceof Introspect.Member rogue) {
                // JGroups gives up joining after its attempts and makes the rogue a flock of one.
                assertEquals(1, rogue.viewSize(), outcome.getKey() + " is alone");
                assertEquals(List.of(), rogue.listed(), outcome.getKey() + " reads no directory entry");
            }
            System.out.printf("secure flock: %s's join ended with %s%n", outcome.getKey(),
                    outcome.getValue() instanceof Throwable t ? t.toString() : "a flock of its own");
        }
        assertEquals(Set.of("h1", "h2"), members(h1), "no rogue listed");
        assertEquals(Set.of("h1", "h2"), members(h2), "no rogue listed");
        assertRefused("rogue-self", "is not issued by this flock's CA");
        assertRefused("rogue-other-ca", "is not issued by this flock's CA");
        assertRefused("rogue-other-flock", "names flock 'other-" + flock + "', not '" + flock + "'");
        assertRefused("rogue-open", "no AUTH header found in message (a host without flock credentials?)");
    }

    private void assertRefused(String rogue, String reason) {
        List<String> lines = refusals.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("refused " + rogue) && l.contains(reason)),
                rogue + " refused (" + reason + ") in the log: " + lines);
    }

    @Test
    void theDirectoryCrossesTheWireEncrypted() throws Exception {
        Introspect.Member a = join("a", 0, ca.host("a", flock));
        Introspect.Sniffer wire = a.sniff("wire");
        Introspect.Sniffer plain = a.sniff("plain");
        Introspect.Member b = join("b", 1, ca.host("b", flock));
        Await.until("a and b list each other", Duration.ofSeconds(20), () -> a.listed().equals(List.of("b")) && b.listed().equals(List.of("a")));
        // The directory entries (JSON with "rpcHost") pass above the encryption both ways, never below it.
        Await.until("a sent and received entries", Duration.ofSeconds(10),
                () -> plain.payloads().stream().filter(p -> p.contains("\"rpcHost\"")).count() >= 2);
        assertFalse(wire.payloads().isEmpty(), "the wire sniffer saw traffic");
        assertTrue(wire.payloads().stream().noneMatch(p -> p.contains("rpcHost") || p.contains("127.0.0.1") || p.contains(flock)),
                "no directory entry in plain text on the wire");
    }

    @Test
    void whenTheCoordinatorLeavesTheOthersTakeANewKeyAndStillReadEachOther() throws Exception {
        // Each member on its own loopback address, as hosts have their own: the key server's port is the same on
        // every host, and the new coordinator opens it while the old one may still hold it on its own address.
        List<String> addresses = List.of("127.0.0.1:" + ports[0], "127.0.0.2:" + ports[1], "127.0.0.3:" + ports[2]);
        List<Introspect.Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = List.of("a", "b", "c").get(i);
            ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                    .put("bind", addresses.get(i).substring(0, addresses.get(i).indexOf(':'))).put("port", ports[i])
                    .put("keyExchangePort", keyExchangePort);
            addresses.forEach(section.withArray("hosts")::add);
            Introspect.Member member = Introspect.join(FlockSettings.from(section), ca.host(name, flock), name);
            open.add(member);
            members.add(member); // the first is the coordinator and key server
        }
        Introspect.Member a = members.get(0);
        Introspect.Member b = members.get(1);
        Introspect.Member c = members.get(2);
        Await.until("all three list each other", Duration.ofSeconds(20),
                () -> a.listed().equals(List.of("b", "c")) && c.listed().equals(List.of("a", "b")));
        a.close();
        Await.until("b and c see a leave", Duration.ofSeconds(10), () -> b.viewSize() == 2 && c.viewSize() == 2);
        // b, the new coordinator, made a new group key (change_key_on_coord_leave) and c fetched it: what b
        // publishes now still reaches c.
        b.publishRunning("after-rekey");
        Await.until("c reads b's entry under the new key", Duration.ofSeconds(10), () -> c.cagesOf("b").equals(List.of("after-rekey")));
    }

    @Test
    void joiningTakesLongerWithSecurityButWellUnderASecond() throws Exception {
        long plain = timeSecondJoin(null, 0);
        long secure = timeSecondJoin(ca, 2);
        System.out.printf("secure flock: the second member's join took %d ms without security, %d ms with it%n", plain, secure);
        assertTrue(secure < 5_000, "joined in " + secure + " ms");
    }

    /** How long the second member takes to join and see the first, with or without a flock CA. */
    private long timeSecondJoin(FlockCa withCa, int first) throws Exception {
        String name = "timed-" + UUID.randomUUID();
        FlockSettings one = settings(name, first, first + 1);
        FlockSettings two = settings(name, first + 1, first);
        Introspect.Member a = Introspect.join(one, withCa == null ? null : withCa.host("t1", name), "t1");
        open.add(a);
        FlockCredentials credentials = withCa == null ? null : withCa.host("t2", name);
        long started = System.nanoTime();
        Introspect.Member b = Introspect.join(two, credentials, "t2");
        open.add(b);
        Await.until("t2 lists t1", Duration.ofSeconds(20), () -> b.listed().equals(List.of("t1")));
        return (System.nanoTime() - started) / 1_000_000;
    }

    private FlockSettings settings(String flockName, int self, int other) {
        return FlockSettings.from(JSON.createObjectNode().put("name", flockName).put("discovery", "static").put("bind", "127.0.0.1")
                .put("port", ports[self]).put("keyExchangePort", keyExchangePort)
                .set("hosts", JSON.createArrayNode().add("127.0.0.1:" + ports[other])));
    }

    private Introspect.Member join(String name, int i, FlockCredentials credentials) throws Exception {
        Introspect.Member member = Introspect.join(FlockSettings.from(section(flock, i)), credentials, name);
        open.add(member);
        return member;
    }
}
