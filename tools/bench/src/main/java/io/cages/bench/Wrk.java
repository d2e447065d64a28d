package io.cages.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk (a separate C process, so the load generator does not share the JVM it measures) and parses it. */
final class Wrk {

    /** One wrk run: its rate, latencies, failed requests, and how many requests it completed in all. */
    record Result(double requestsPerSecond, double p50Ms, double p99Ms, long errors, long requests) {
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ");
    private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private Wrk() {
    }

    static Result run(String url, int threads, int connections, int seconds) throws IOException, InterruptedException {
        return run(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency", url));
    }

    /**
     * Runs wrk at a roughly fixed offered rate instead of flat out: each connection waits {@code delayMs} before
     * each request (wrk's script {@code delay()} hook; wrk2 is not packaged here), so the rate is about
     * connections x 1000 / (delayMs + latency) whatever the server's speed, and two servers get the same load.
     */
    static Result runPaced(String url, int threads, int connections, int seconds, int delayMs) throws IOException, InterruptedException {
        Path script = Files.createTempFile("wrk-paced", ".lua");
        try {
            Files.writeString(script, "function delay()\n  return " + delayMs + "\nend\n");
            return run(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency", "-s", script.toString(), url));
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("wrk failed: " + out);
        }
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IOException("cannot parse wrk output: " + out);
        }
        long errors = 0;
        Matcher e = ERRORS.matcher(out);
        if (e.find()) {
            errors += Long.parseLong(e.group(1));
        }
        Matcher s = SOCKET_ERRORS.matcher(out);
        if (s.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(s.group(i));
            }
        }
        Matcher requests = REQUESTS.matcher(out);
        if (!requests.find()) {
            throw new IOException("no request count in wrk output: " + out);
        }
        return new Result(Double.parseDouble(rps.group(1)), percentile(out, "50%"), percentile(out, "99%"), errors,
                Long.parseLong(requests.group(1)));
    }

    private static double percentile(String out, String label) throws IOException {
        Matcher m = Pattern.compile("^\\s+" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE).matcher(out);
        if (!m.find()) {
            throw new IOException("no " + label + " latency in wrk output: " + out);
        }
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }
}
