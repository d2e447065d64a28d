package io.cages.transport.flock;

import static io.cages.host.testing.PrometheusSamples.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.testcages.caller.CallerCage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flock policy with two real hosts over RPC on loopback: h1 runs {@code caller}, h2 runs {@code svc} and
 * has a policy file. Allowed calls pass, refused ones get FORBIDDEN naming caller, cage and operation, a
 * live edit applies within a second without failing an allowed call, and a broken edit keeps the old policy.
 */
class CallPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** h2's poll period, the host's default: a policy edit must apply within a second of it. */
    private static final long POLL_MS = 500;

    private static final String V1 = """
            {
              "default": "deny",
              "allow": [
                {"caller": "caller", "cage": "svc", "operations": ["version", "thread"]},
                {"caller": "test", "cage": "*"}
              ]
            }
            """;
    private static final String V2 = """
            {
              "default": "deny",
              "allow": [
                {"caller": "caller", "cage": "svc", "operations": ["version", "deadline"]},
                {"caller": "test", "cage": "*"}
              ]
            }
            """;

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();
    Path policy;

    @BeforeEach
    void start() throws Exception {
        String flock = "policy-" + UUID.randomUUID();
        int[] ports = {Ports.free(), Ports.free()};
        policy = dir.resolve("h2-configs").resolve("policy.json");
        Files.createDirectories(policy.getParent());
        write(V1);
        for (int i = 0; i < 2; i++) {
            String name = "h" + (i + 1);
            ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                    .put("bind", "127.0.0.1").put("port", ports[i]).put("rpcPort", 0).put("publishMs", 100);
            section.withArray("hosts").add("127.0.0.1:" + ports[1 - i]);
            HostConfig config = HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name))
                    .withCageConfigDir(dir.resolve("cage-configs")).withPollMs(POLL_MS).withTransport("flock", section)
                    // The policy file is policy.json beside the resources file: only h2 has one.
                    .withResourcesFile(dir.resolve(name + "-configs").resolve("resources.json"));
            hosts.add(Host.start(config, List.of(new FlockTransport())));
        }
        hosts.get(0).admin().deploy(TestCages.build("caller", "1.0.0", CallerCage.class), "test");
        hosts.get(1).admin().deploy(TestCages.build("svc", "1.0.0", VersionCage.class), "test");
        Await.until("h1 sees svc on h2", Duration.ofSeconds(20), () -> hosts.get(0).admin().flock().stream()
                .anyMatch(m -> m.name().equals("h2") && m.cages().stream().anyMatch(c -> c.startsWith("svc@"))));
    }

    @AfterEach
    void stop() {
        hosts.forEach(Host::close);
    }

    @Test
    void allowedCallsPassAndOthersAreForbiddenWithCallerCageAndOperationNamed() throws Exception {
        assertEquals("1.0.0", relay("version").value().path("value").path("version").asText());
        CageException refused = refusal("deadline");
        assertEquals(ErrorCode.FORBIDDEN, refused.code());
        assertEquals("cage 'svc' operation 'deadline' on host 'h2': forbidden: cage 'caller' may not call svc.deadline (flock policy)",
                refused.getMessage());
        // The callee counts it, as a refusal for the reason "forbidden".
        Await.until("the refusal counted", Duration.ofSeconds(20), () -> {
            var text = hosts.get(1).admin().metrics(null);
            return text != null && sum(text.text(), "cages_requests_refused_total", "cage=\"svc\"", "operation=\"deadline\"",
                    "reason=\"forbidden\"") == 1;
        });
    }

    @Test
    void aPolicyEditAppliesWithinASecondWhileFourThreadsCallAndNoAllowedCallFails() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong calls = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            callers.add(Thread.ofPlatform().name("policy-caller-" + i).start(() -> {
                while (running.get()) {
                    try {
                        relay("version"); // allowed by both policies
                        calls.incrementAndGet();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e);
                    }
                }
            }));
        }
        try {
            Await.until("calls under way", Duration.ofSeconds(10), () -> calls.get() >= 100);
            assertEquals(ErrorCode.FORBIDDEN, refusal("deadline").code());
            relay("thread");

            write(V2);
            long written = System.nanoTime();
            Await.until("svc.deadline allowed", Duration.ofSeconds(1), () -> allowed("deadline"));
            long appliedMs = (System.nanoTime() - written) / 1_000_000;
            System.out.println("policy edit applied " + appliedMs + " ms after the write");
            assertEquals("cage 'svc' operation 'thread' on host 'h2': forbidden: cage 'caller' may not call svc.thread (flock policy)",
                    refusal("thread").getMessage());
            long before = calls.get();
            Await.until("calls go on after the edit", Duration.ofSeconds(10), () -> calls.get() >= before + 100);
        } finally {
            running.set(false);
            for (Thread t : callers) {
                t.join(20_000);
            }
        }
        assertEquals(0, failures.get(), () -> "allowed calls failed, first: " + firstFailure.get());
        System.out.println("allowed calls during the edit: " + calls.get() + ", failed: " + failures.get());
    }

    @Test
    void aBrokenEditKeepsTheLastPolicyAndIsListedAsAConfigProblemUntilFixed() throws Exception {
        Host h2 = hosts.get(1);
        write("""
                {
                  "default": "deny",
                  "allow": [
                    {"caller": "caller", "cage": "Svc"}
                  ]
                }
                """);
        Await.until("the broken file is listed", Duration.ofSeconds(5), () -> !problems(h2).isEmpty());
        ConfigProblem field = problems(h2).get(0);
        assertEquals("allow[0].cage: must be a cage name (lower-case letters, digits, '-') where '*' stands for any characters",
                field.reason());

        write("{\n  \"default\": \"deny\",\n  \"allow\": [\n    {\"caller\": \"caller\" \"cage\": \"svc\"}\n  ]\n}\n");
        Await.until("the syntax error is listed", Duration.ofSeconds(5),
                () -> !problems(h2).isEmpty() && problems(h2).get(0).reason().startsWith("not valid JSON at line 4"));

        // The last good policy (V1) is still in force.
        relay("version");
        relay("thread");
        assertEquals(ErrorCode.FORBIDDEN, refusal("deadline").code());

        write(V2);
        Await.until("the fixed file clears the problem", Duration.ofSeconds(5), () -> problems(h2).isEmpty());
        relay("deadline");
        assertEquals(ErrorCode.FORBIDDEN, refusal("thread").code());
    }

    @Test
    void aDeletedPolicyKeepsTheLastOneRatherThanAllowingEverything() throws Exception {
        Files.delete(policy);
        Await.until("the deletion is listed", Duration.ofSeconds(5), () -> !problems(hosts.get(1)).isEmpty());
        assertTrue(problems(hosts.get(1)).get(0).reason().startsWith("deleted; the last policy stays in force"));
        assertEquals(ErrorCode.FORBIDDEN, refusal("deadline").code());
        write(V1);
        Await.until("the restored file clears the problem", Duration.ofSeconds(5), () -> problems(hosts.get(1)).isEmpty());
    }

    @Test
    void aHostDoesNotStartWithABrokenPolicyFile() throws Exception {
        Path configs = dir.resolve("h3-configs");
        Files.createDirectories(configs);
        Files.writeString(configs.resolve("policy.json"), "{\"default\": \"maybe\"}");
        HostConfig config = HostConfig.defaults().withName("h3").withWorkDir(dir.resolve("h3"))
                .withResourcesFile(configs.resolve("resources.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Host.start(config, List.of()).close());
        assertEquals(configs.resolve("policy.json") + ": default must be \"allow\" or \"deny\", was \"maybe\"", e.getMessage());
    }

    private List<ConfigProblem> problems(Host host) {
        return host.admin().configProblems().stream().filter(p -> p.file().equals(policy.toString())).toList();
    }

    private void write(String content) throws Exception {
        // Written beside and moved over, as an editor or a config tool does: the host never reads half a file.
        Path next = policy.resolveSibling("policy.json.next");
        Files.writeString(next, content, StandardCharsets.UTF_8);
        Files.move(next, policy, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** test -> caller (h1) -> svc.op (h2). */
    private Reply relay(String op) throws Exception {
        Dispatcher d = hosts.get(0).dispatcher();
        CompletableFuture<Reply> reply = d.dispatch(new InboundRequest(d.newRequestId(), "caller", "relay",
                Map.of("target", "svc", "op", op), null, null, null, "test", null));
        try {
            return reply.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private CageException refusal(String op) {
        return assertThrows(CageException.class, () -> relay(op));
    }

    private boolean allowed(String op) {
        try {
            relay(op);
            return true;
        } catch (CageException e) {
            if (e.code() == ErrorCode.FORBIDDEN) {
                return false;
            }
            throw new AssertionError("unexpected failure of an allowed call", e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
