package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.FlockMember;
import io.cages.host.spi.FlockView;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.OutboundCall;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.spi.RemoteReply;
import io.cages.host.spi.SettingsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy's rules: deny before allow before the default, wildcards, and the two kinds of caller. */
class CallPolicyTest {

    private static CallPolicy parse(String json) {
        return CallPolicy.parse(json.getBytes(StandardCharsets.UTF_8), name -> null);
    }

    private static String problem(String json) {
        return assertThrows(SettingsException.class, () -> parse(json)).problem();
    }

    @Test
    void denyWinsOverAllowAndTheDefaultDecidesTheRest() {
        CallPolicy p = parse("""
                {"default": "deny",
                 "allow": [{"caller": "orders", "cage": "billing"}, {"caller": "http:*", "cage": "gateway", "operations": ["get*"]}],
                 "deny": [{"caller": "orders", "cage": "billing", "operations": ["refund"]}]}
                """);
        assertTrue(p.allows("orders", "billing", "charge"));
        assertFalse(p.allows("orders", "billing", "refund"));
        assertFalse(p.allows("stock", "billing", "charge"));
        assertTrue(p.allows("http:127.0.0.1:5000", "gateway", "getOrder"));
        assertFalse(p.allows("http:127.0.0.1:5000", "gateway", "delete"));
        assertFalse(p.allows("http:127.0.0.1:5000", "billing", "charge"));

        CallPolicy open = parse("{\"default\": \"allow\", \"deny\": [{\"caller\": \"*\", \"cage\": \"billing\", \"operations\": [\"refund\"]}]}");
        assertTrue(open.allows("orders", "billing", "charge"));
        assertFalse(open.allows("orders", "billing", "refund"));
    }

    @Test
    void aCagePatternNeverMatchesACallerFromOutsideAndTheReverse() {
        CallPolicy p = parse("{\"default\": \"deny\", \"allow\": [{\"caller\": \"*\", \"cage\": \"*\"}]}");
        assertTrue(p.allows("orders", "billing", "charge"));
        assertFalse(p.allows("http:10.0.0.1:1234", "billing", "charge"), "'*' is any cage, not any HTTP client");
        assertFalse(p.allows("jms:billing.charges", "billing", "settle"));
        CallPolicy outside = parse("{\"default\": \"deny\", \"allow\": [{\"caller\": \"*:*\", \"cage\": \"*\"}]}");
        assertTrue(outside.allows("job:nightly", "billing", "close"));
        assertFalse(outside.allows("orders", "billing", "charge"));
    }

    @Test
    void globsMatchAnyRunOfCharacters() {
        assertTrue(CallPolicy.Glob.matches("*", ""));
        assertTrue(CallPolicy.Glob.matches("bill*", "billing"));
        assertTrue(CallPolicy.Glob.matches("*ing", "billing"));
        assertTrue(CallPolicy.Glob.matches("b*l*g", "billing"));
        assertTrue(CallPolicy.Glob.matches("billing", "billing"));
        assertFalse(CallPolicy.Glob.matches("billing", "billings"));
        assertFalse(CallPolicy.Glob.matches("b*x", "billing"));
        assertFalse(CallPolicy.Glob.matches("http:*", "https:x"));
    }

    @Test
    void mistakesAreNamedByFieldOrLine() {
        assertEquals("default: is required: \"allow\" (what no rule names is allowed) or \"deny\" (what no rule names is forbidden)",
                problem("{\"allow\": []}"));
        assertEquals("default must be \"allow\" or \"deny\", was \"open\"", problem("{\"default\": \"open\"}"));
        assertEquals("allow[1].caller: is required", problem("{\"default\": \"deny\", \"allow\": [{\"caller\": \"a\", \"cage\": \"b\"}, {\"cage\": \"b\"}]}"));
        assertEquals("deny[0].operations: is empty: list at least one operation, or leave the key out for all of them (\"*\")",
                problem("{\"default\": \"deny\", \"deny\": [{\"caller\": \"a\", \"cage\": \"b\", \"operations\": []}]}"));
        assertTrue(problem("{\"default\": \"deny\", \"allow\": [{\"caller\": \"a\", \"cage\": \"b\", \"op\": [\"x\"]}]}")
                .startsWith("allow[0].op: unknown key"));
        assertTrue(problem("{\"default\": \"deny\",\n \"allow\": [\n}").startsWith("not valid JSON at line 3"));
    }

    @Test
    void aCallByNameOverRpcMayNotPassForAnotherKindOfCaller() {
        Map<String, String> rpc = Map.of(InboundRequest.TRANSPORT, "rpc", "remote.address", "10.0.0.9", "remote.port", "4100");
        CallerIdentity spoofed = CallerIdentity.of(request("http:127.0.0.1:1", rpc), "h1");
        assertEquals("rpc:10.0.0.9:4100", spoofed.caller());
        assertFalse(spoofed.authenticated());

        CallerIdentity cage = CallerIdentity.of(request("orders", rpc), "h1");
        assertEquals("orders", cage.caller());
        assertNull(cage.host(), "a frame's word alone proves no host");

        Map<String, String> proven = Map.of(InboundRequest.TRANSPORT, "rpc", CallerIdentity.PEER_HOST_ATTRIBUTE, "h2");
        CallerIdentity fromH2 = CallerIdentity.of(request("orders", proven), "h1");
        assertEquals("h2", fromH2.host());
        assertTrue(fromH2.authenticated());

        CallerIdentity local = CallerIdentity.of(request("orders", Map.of()), "h1");
        assertEquals("h1", local.host());
        assertTrue(local.authenticated());
        CallerIdentity http = CallerIdentity.of(request("http:127.0.0.1:1", Map.of()), "h1");
        assertNull(http.host());
    }

    @Test
    void noPolicyAllowsEverythingWithoutLookingAtTheRequest() {
        assertNull(CallPermissions.allowAll("h1").refusal(request("http:x", Map.of())));
    }

    @Test
    void anAuthenticatedPeerHostMayOnlyCallAsACageItRuns(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.json");
        Files.writeString(file, "{\"default\": \"allow\"}");
        CallPermissions permissions = CallPermissions.load(file, "h1", name -> null);
        permissions.consultDirectory(() -> new Directory(List.of(
                new FlockMember("h1", "127.0.0.1:1", List.of("billing@1.0.0"), 0, 0, true),
                new FlockMember("h2", "127.0.0.1:2", List.of("orders@2.1.0", "stock@1.0.0"), 0, 0, false))));
        Map<String, String> fromH2 = Map.of(InboundRequest.TRANSPORT, "rpc", CallerIdentity.PEER_HOST_ATTRIBUTE, "h2");
        assertNull(permissions.refusal(request("orders", fromH2)));
        assertEquals("forbidden: host 'h2' does not run cage 'order' (flock directory), so it may not call billing.charge as that cage",
                permissions.refusal(request("order", fromH2)));
        assertEquals("forbidden: host 'h2' does not run cage 'billing' (flock directory), so it may not call billing.charge as that cage",
                permissions.refusal(request("billing", fromH2)));
        // Not proven (no peer.host): the frame's word is taken; a host the directory does not list yet is not judged.
        assertNull(permissions.refusal(request("billing", Map.of(InboundRequest.TRANSPORT, "rpc"))));
        assertNull(permissions.refusal(request("billing", Map.of(InboundRequest.TRANSPORT, "rpc", CallerIdentity.PEER_HOST_ATTRIBUTE, "h9"))));
    }

    /** A transport's calls to other hosts that can also show the directory, as the flock transport's can. */
    private record Directory(List<FlockMember> members) implements RemoteCalls, FlockView {
        @Override
        public CompletableFuture<RemoteReply> call(OutboundCall call) {
            throw new UnsupportedOperationException();
        }
    }

    private static InboundRequest request(String caller, Map<String, String> attributes) {
        return new InboundRequest("1", "billing", "charge", null, null, null, attributes, caller, null);
    }
}
