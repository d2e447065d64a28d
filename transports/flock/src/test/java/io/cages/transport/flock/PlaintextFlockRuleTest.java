package io.cages.transport.flock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.Ports;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Secure by default: a flock bound beyond loopback (the default included) starts only with a {@code tls} section,
 * or with the explicit {@code "insecure": true}, which warns at start; loopback flocks need neither.
 */
class PlaintextFlockRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIXES = " Give each host a certificate of the flock's CA: once, `cagectl ca init --flock pay --out ca/`;"
            + " per host, `cagectl ca issue --ca ca/ --host h1 --out <folder of host.json>` and \"tls\": {\"ca\": \"flock-ca.pem\","
            + " \"cert\": \"host.pem\", \"key\": \"host.key\"} in host.json. Or bind the flock to loopback (\"bind\": \"127.0.0.1\" in"
            + " transports.flock), or, on a network you trust entirely, opt out with \"insecure\": true in transports.flock";

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();
    final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    @BeforeEach
    void listen() {
        warnings.start();
        ((Logger) LoggerFactory.getLogger(PlaintextFlockRule.class)).addAppender(warnings);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(PlaintextFlockRule.class)).detachAppender(warnings);
        hosts.forEach(Host::close);
    }

    private static ObjectNode section() {
        return JSON.createObjectNode().put("name", "pay");
    }

    private static String refusal(ObjectNode section, boolean tls) {
        FlockSettings settings = FlockSettings.from(section);
        return assertThrows(IllegalStateException.class, () -> PlaintextFlockRule.check(settings, tls, "h1")).getMessage();
    }

    @Test
    void withoutABindTheFlockIsOnEveryInterfaceAndRefusedWithoutTls() {
        assertEquals("flock 'pay' would bind its membership and RPC to 0.0.0.0 (no transports.flock.bind is set: RPC listens on"
                + " every interface, membership on the first non-loopback one), beyond loopback, without a \"tls\" section in"
                + " host.json: anyone who reaches them could join the flock, read its directory and call its cages." + FIXES,
                refusal(section(), false));
    }

    @Test
    void aFlockBoundToAnAddressBeyondLoopbackIsRefusedWithoutTlsNamingTheAddress() {
        assertEquals("flock 'pay' would bind its membership and RPC to 10.0.0.5, beyond loopback, without a \"tls\" section in"
                + " host.json: anyone who reaches them could join the flock, read its directory and call its cages." + FIXES,
                refusal(section().put("bind", "10.0.0.5"), false));
        assertTrue(refusal(section().put("bind", "0.0.0.0"), false).startsWith("flock 'pay' would bind its membership and RPC to 0.0.0.0, beyond loopback"));
        assertTrue(refusal(section().put("bind", "::"), false).startsWith("flock 'pay' would bind its membership and RPC to ::, beyond loopback"));
    }

    @Test
    void loopbackFlocksNeedNeitherCertificatesNorTheOptOut() {
        for (String loopback : List.of("127.0.0.1", "127.0.0.2", "::1", "localhost")) {
            PlaintextFlockRule.check(FlockSettings.from(section().put("bind", loopback)), false, "h1");
        }
        assertTrue(warnings.list.isEmpty(), "no warning: " + warnings.list);
    }

    @Test
    void withATlsSectionTheFlockMayBindAnywhere() {
        PlaintextFlockRule.check(FlockSettings.from(section()), true, "h1");
        PlaintextFlockRule.check(FlockSettings.from(section().put("bind", "10.0.0.5")), true, "h1");
        assertTrue(warnings.list.isEmpty(), "no warning: " + warnings.list);
    }

    @Test
    void theOptOutStartsAFlockBeyondLoopbackWithAWarningThatItIsOpenToTheLan() {
        PlaintextFlockRule.check(FlockSettings.from(section().put("bind", "10.0.0.5").put("insecure", true)), false, "h1");
        assertEquals(1, warnings.list.size(), "one warning: " + warnings.list);
        ILoggingEvent warning = warnings.list.get(0);
        assertEquals(Level.WARN, warning.getLevel());
        assertEquals("flock 'pay' is INSECURE (\"insecure\": true in transports.flock): host h1 binds its membership and RPC to"
                + " 10.0.0.5 in plain TCP, without TLS: anyone on the LAN who reaches them can join the flock, read its directory"
                + " and call its cages. Give the hosts certificates (cagectl ca) and a \"tls\" section", warning.getFormattedMessage());
        // On loopback the opt-out changes nothing, and says nothing.
        PlaintextFlockRule.check(FlockSettings.from(section().put("bind", "127.0.0.1").put("insecure", true)), false, "h1");
        assertEquals(1, warnings.list.size());
    }

    @Test
    void theOptOutBesideATlsSectionIsRefusedAsAContradiction() {
        assertEquals("transports.flock.insecure is true but host.json has a \"tls\" section: the flock runs mutual TLS with it,"
                + " so the opt-out says the opposite of what happens. Remove \"insecure\"", refusal(section().put("insecure", true), true));
    }

    @Test
    void badValuesAreRefusedByName() {
        assertFalse(FlockSettings.from(section()).insecure(), "secure by default");
        assertTrue(FlockSettings.from(section().put("insecure", "true")).insecure());
        assertEquals("transports.flock.insecure must be true or false, was \"yes\"",
                assertThrows(IllegalArgumentException.class, () -> FlockSettings.from(section().put("insecure", "yes"))).getMessage());
        assertEquals("transports.flock.insecure must be true or false, was 1",
                assertThrows(IllegalArgumentException.class, () -> FlockSettings.from(section().put("insecure", 1))).getMessage());
        assertEquals("transports.flock.bind 'no-such-host.invalid' is neither an address nor a name that resolves (give an"
                + " address of this host, e.g. \"10.0.0.5\")", refusal(section().put("bind", "no-such-host.invalid"), false));
    }

    @Test
    void aHostWhoseFlockHasNoBindAndNoTlsDoesNotStartAndSaysWhy() throws Exception {
        ObjectNode section = section().put("discovery", "static").put("port", Ports.free()).put("rpcPort", 0);
        section.withArray("hosts").add("127.0.0.1:" + Ports.free());
        HostConfig config = HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("h1")).withCageConfigDir(dir.resolve("configs"))
                .withTransport("flock", section);
        FlockTransport flock = new FlockTransport();
        Exception e = assertThrows(Exception.class, () -> hosts.add(Host.start(config, List.of(flock))));
        String messages = messages(e);
        assertTrue(messages.contains("flock 'pay' would bind its membership and RPC to 0.0.0.0"), messages);
        assertEquals(-1, flock.rpcPort(), "refused before the RPC listener bound");
    }

    @Test
    void aLoopbackHostStartsWithTheOptOutAsWithout() throws Exception {
        for (boolean insecure : List.of(false, true)) {
            String name = "h" + (insecure ? 2 : 1);
            ObjectNode section = section().put("discovery", "static").put("bind", "127.0.0.1").put("port", Ports.free())
                    .put("rpcPort", 0).put("insecure", insecure);
            section.withArray("hosts").add("127.0.0.1:" + Ports.free());
            FlockTransport flock = new FlockTransport();
            hosts.add(Host.start(HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name))
                    .withCageConfigDir(dir.resolve("configs")).withTransport("flock", section), List.of(flock)));
            assertTrue(flock.rpcPort() > 0, "serving RPC on loopback");
        }
        assertTrue(warnings.list.isEmpty(), "no warning on loopback: " + warnings.list);
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
