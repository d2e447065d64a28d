package io.cages.process.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Deadline;
import io.cages.api.Request;
import java.util.Map;
import java.util.UUID;

/** The manifest's {@code selfTest}: one request through the real path (a process or a worker) before the switch. */
final class SelfTest {

    private final Manifest manifest;

    SelfTest(Manifest manifest) {
        this.manifest = manifest;
    }

    void run(CageHandler handler) throws Exception {
        if (manifest.selfTestOperation() == null) {
            return;
        }
        Map<String, Object> params = manifest.selfTestParams() == null || !manifest.selfTestParams().isObject() ? Map.of()
                : Envelopes.JSON.convertValue(manifest.selfTestParams(), new TypeReference<Map<String, Object>>() { });
        Request request = new SelfTestRequest("selftest-" + UUID.randomUUID(), manifest.name(), manifest.selfTestOperation(),
                params, Deadline.afterMillis(manifest.startupTimeoutMs()));
        try {
            handler.handle(request);
        } catch (CageException e) {
            throw new Exception("self-test operation '" + manifest.selfTestOperation() + "' failed: " + e.getMessage(), e);
        }
    }

    private record SelfTestRequest(String id, String cage, String operation, Map<String, Object> params,
                                   Deadline deadline) implements Request {

        @Override
        public <T> T params(Class<T> type) {
            return Envelopes.JSON.convertValue(params, type);
        }

        @Override
        public String param(String name) {
            Object value = params.get(name);
            return value == null ? null : String.valueOf(value);
        }

        @Override
        public byte[] body() {
            return new byte[0];
        }

        @Override
        public String contentType() {
            return null;
        }

        @Override
        public Map<String, String> attributes() {
            return Map.of();
        }

        @Override
        public String caller() {
            return "host:self-test";
        }
    }
}
