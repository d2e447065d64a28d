package io.cages.transport.flock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.FlockMember;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.testcages.caller.CallerCage;
import io.cages.transport.rpc.internal.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two hosts of a flock whose host.json has a tls section: calls by name cross over mutual TLS. */
class FlockTlsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();

    @AfterEach
    void stop() {
        hosts.forEach(Host::close);
    }

    private HostConfig config(String name, String flock, int[] ports, int index, TestPki.Issued cert, TestPki.Issued ca) throws Exception {
        ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                .put("bind", "127.0.0.1").put("port", ports[index]).put("rpcPort", 0).put("publishMs", 100);
        section.withArray("hosts").add("127.0.0.1:" + ports[1 - index]);
        Path folder = dir.resolve(name + "-tls");
        TestPki.write(folder, cert, ca);
        return HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name)).withCageConfigDir(dir.resolve("configs"))
                .withTransport("flock", section)
                .withTls(new HostConfig.Tls(folder.resolve("flock-ca.pem"), folder.resolve("host.pem"), folder.resolve("host.key")));
    }

    @Test
    void callsByNameCrossHostsOverMutualTls() throws Exception {
        String flock = "tls-" + UUID.randomUUID();
        TestPki.Issued ca = TestPki.ca(flock);
        int[] ports = {Ports.free(), Ports.free()};
        Host h1 = Host.start(config("h1", flock, ports, 0, TestPki.host(ca, "h1", flock), ca), List.of(new FlockTransport()));
        hosts.add(h1);
        Host h2 = Host.start(config("h2", flock, ports, 1, TestPki.host(ca, "h2", flock), ca), List.of(new FlockTransport()));
        hosts.add(h2);
        h1.admin().deploy(TestCages.build("caller", "1.0.0", CallerCage.class), "test");
        h2.admin().deploy(TestCages.build("svc", "1.0.0", VersionCage.class), "test");
        Await.until("h1 sees svc on h2", Duration.ofSeconds(20), () -> h1.admin().flock().stream()
                .anyMatch((FlockMember m) -> m.name().equals("h2") && m.cages().stream().anyMatch(c -> c.startsWith("svc@"))));
        Dispatcher d = h1.dispatcher();
        for (int i = 0; i < 20; i++) {
            JsonNode answer = d.dispatch(new InboundRequest(d.newRequestId(), "caller", "relay", Map.of("target", "svc", "op", "version"),
                    null, null, null, "test", null)).get(20, TimeUnit.SECONDS).value();
            assertEquals("h2", answer.path("host").asText());
            assertEquals("1.0.0", answer.path("value").path("version").asText());
        }
    }

    @Test
    void aCertificateNamingAnotherHostStopsTheStartNamingTheFile() throws Exception {
        String flock = "tls-" + UUID.randomUUID();
        TestPki.Issued ca = TestPki.ca(flock);
        int[] ports = {Ports.free(), Ports.free()};
        HostConfig config = config("h1", flock, ports, 0, TestPki.host(ca, "h9", flock), ca);
        Exception e = assertThrows(Exception.class, () -> hosts.add(Host.start(config, List.of(new FlockTransport()))));
        String messages = messages(e);
        assertTrue(messages.contains("tls cert " + config.tls().cert() + ": names host 'h9' of flock '" + flock + "'"), messages);
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
