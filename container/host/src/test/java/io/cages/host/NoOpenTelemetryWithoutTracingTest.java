package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenTelemetry SDK is on the host's class path for OTLP export, but a host without tracing configured must
 * load none of it: a host in a JVM of its own ({@code -verbose:class}) serves a call, and no io.opentelemetry
 * class was loaded.
 */
class NoOpenTelemetryWithoutTracingTest {

    @Test
    void aHostWithoutTracingLoadsNoOpenTelemetryClass(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("classes.txt");
        // In a folder of its own: a host reads configs/ relative to where it runs.
        String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class", "-cp", classPath, ServeOneCall.class.getName(), dir.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("OTEL_"));
        Process host = builder.start();
        assertTrue(host.waitFor(2, TimeUnit.MINUTES), "the host JVM finished");
        List<String> lines = Files.readAllLines(out);
        assertEquals(0, host.exitValue(), String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        assertTrue(lines.contains("served"), "the call was served");
        assertTrue(lines.stream().anyMatch(l -> l.contains("io.cages.host.internal.HostMetrics")), "-verbose:class lists the host's classes");
        List<String> otel = lines.stream().filter(l -> l.contains("io.opentelemetry")).toList();
        assertTrue(otel.isEmpty(), "loaded without tracing: " + otel);
    }

    /** Starts a host (no tracing), deploys a cage, calls it, stops. */
    public static final class ServeOneCall {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            try (HostFixture fixture = new HostFixture(dir)) {
                fixture.deploy(HostFixture.versionCage("probe", "1.0.0"));
                fixture.callOk("probe", "version", Map.of());
            }
            System.out.println("served");
        }
    }
}
