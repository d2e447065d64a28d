package io.cages.transport.flock;

import static io.cages.host.testing.PrometheusSamples.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.FlockMember;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.testcages.caller.CallerCage;
import io.cages.transport.rpc.RemoteCageException;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcConnectionException;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTls;
import io.cages.transport.rpc.internal.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call policy on a flock with mutual TLS: h1 runs {@code caller}, h2 runs {@code svc} and {@code ops}, and
 * h2's policy lets both {@code caller} and {@code ops} call {@code svc}. h1's certificate proves it is h1, so a
 * frame from h1 naming {@code ops} as its caller (a cage h1 does not run) is refused by the directory check even
 * though the policy would allow {@code ops}; the same frame over plain TCP never gets past the handshake.
 */
class FlockTlsPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            {
              "default": "deny",
              "allow": [
                {"caller": "caller", "cage": "svc"},
                {"caller": "ops", "cage": "svc"}
              ]
            }
            """;

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();
    final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        hosts.forEach(Host::close);
    }

    private HostConfig config(String name, String flock, int[] ports, int index, TestPki.Issued ca) throws Exception {
        ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                .put("bind", "127.0.0.1").put("port", ports[index]).put("rpcPort", 0).put("publishMs", 100);
        section.withArray("hosts").add("127.0.0.1:" + ports[1 - index]);
        Path tls = dir.resolve(name + "-tls");
        TestPki.write(tls, TestPki.host(ca, name, flock), ca);
        Path configs = dir.resolve(name + "-configs");
        Files.createDirectories(configs);
        return HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name)).withCageConfigDir(dir.resolve("cage-configs"))
                .withTransport("flock", section)
                // The policy file is policy.json beside the resources file: only h2 has one.
                .withResourcesFile(configs.resolve("resources.json"))
                .withTls(new HostConfig.Tls(tls.resolve("flock-ca.pem"), tls.resolve("host.pem"), tls.resolve("host.key")));
    }

    @Test
    void aPeerMayCallOnlyAsACageItRunsAndAPlainConnectionIsRefusedInTheHandshake() throws Exception {
        String flock = "tls-policy-" + UUID.randomUUID();
        TestPki.Issued ca = TestPki.ca(flock);
        int[] ports = {Ports.free(), Ports.free()};
        HostConfig c1 = config("h1", flock, ports, 0, ca);
        HostConfig c2 = config("h2", flock, ports, 1, ca);
        Files.writeString(c2.resourcesFile().resolveSibling("policy.json"), POLICY);
        Host h1 = Host.start(c1, List.of(new FlockTransport()));
        hosts.add(h1);
        Host h2 = Host.start(c2, List.of(new FlockTransport()));
        hosts.add(h2);
        h1.admin().deploy(TestCages.build("caller", "1.0.0", CallerCage.class), "test");
        h2.admin().deploy(TestCages.build("svc", "1.0.0", VersionCage.class), "test");
        h2.admin().deploy(TestCages.build("ops", "1.0.0", VersionCage.class), "test");
        Await.until("h1 sees svc on h2", Duration.ofSeconds(20), () -> runs(h1, "h2", "svc"));
        // The directory check judges only a host the directory lists: wait until h2 lists h1 and its cage.
        Await.until("h2 sees caller on h1", Duration.ofSeconds(20), () -> runs(h2, "h1", "caller"));
        Probe.reset();

        // (1) A genuine call by name: test -> caller (h1) -> svc.version (h2), over mutual TLS.
        Dispatcher d = h1.dispatcher();
        JsonNode answer = d.dispatch(new InboundRequest(d.newRequestId(), "caller", "relay", Map.of("target", "svc", "op", "version"),
                null, null, null, "test", null)).get(20, TimeUnit.SECONDS).value();
        assertEquals("h2", answer.path("host").asText());
        assertEquals("1.0.0", answer.path("value").path("version").asText());
        assertEquals(1, Probe.get("svc.version"));

        // (2) h1's own valid certificate, a frame naming as caller a cage only h2 runs: the policy allows 'ops',
        // the directory says h1 does not run it.
        InetSocketAddress svc = rpcAddress(h1, "h2");
        RpcTls ownCertificate = RpcTls.once(c1.tls().ca(), c1.tls().cert(), c1.tls().key(), "h1", flock);
        clients.add(ownCertificate);
        RpcClient spoofer = new RpcClient(RpcSettings.defaults(), ownCertificate);
        clients.add(spoofer);
        ExecutionException e = assertThrows(ExecutionException.class, () -> call(spoofer, svc));
        RemoteCageException refused = assertInstanceOf(RemoteCageException.class, e.getCause());
        assertEquals(ErrorCode.FORBIDDEN, refused.code());
        assertEquals("forbidden: host 'h1' does not run cage 'ops' (flock directory), so it may not call svc.version as that cage",
                refused.getMessage());
        assertEquals(1, Probe.get("svc.version"));
        Await.until("the refusal counted", Duration.ofSeconds(20), () -> forbidden(h2) == 1);

        // (3) The same frame over plain TCP: refused in the handshake, before any dispatcher.
        RpcClient plain = new RpcClient(RpcSettings.defaults());
        clients.add(plain);
        ExecutionException p = assertThrows(ExecutionException.class, () -> call(plain, svc));
        RpcConnectionException lost = assertInstanceOf(RpcConnectionException.class, p.getCause());
        // The client cannot tell how far its frame got; the server closed the connection in the handshake.
        assertEquals("call to cage 'svc' operation 'version' at " + svc
                + " was delivered but the connection was lost before the reply: the connection was closed", lost.getMessage());
        assertEquals(1, Probe.get("svc.version"));
        assertEquals(1, forbidden(h2));
    }

    private static JsonNode call(RpcClient client, InetSocketAddress peer) throws Exception {
        return client.call(peer, "ops", "svc", "version", Map.of(), null, null, Deadline.after(Duration.ofSeconds(10)), false)
                .get(20, TimeUnit.SECONDS).value();
    }

    private static long forbidden(Host host) {
        var text = host.admin().metrics(null);
        return text == null ? -1 : sum(text.text(), "cages_requests_refused_total", "cage=\"svc\"", "operation=\"version\"",
                "reason=\"forbidden\"");
    }

    private static boolean runs(Host viewer, String host, String cage) {
        return viewer.admin().flock().stream()
                .anyMatch((FlockMember m) -> m.name().equals(host) && m.cages().stream().anyMatch(c -> c.startsWith(cage + "@")));
    }

    private static InetSocketAddress rpcAddress(Host viewer, String host) {
        String address = viewer.admin().flock().stream().filter(m -> m.name().equals(host)).findFirst().orElseThrow().rpcAddress();
        int colon = address.lastIndexOf(':');
        return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }
}
