package io.cages.resbench;

import io.cages.resources.jms.JmsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The resource layer against the raw libraries under it, in one run: JDBC (see {@link JdbcBench}) and JMS (see
 * {@link JmsBench}). Rounds alternate the systems; medians and per-round ratios are printed as tables.
 *
 * <p>Options (all {@code --name value}): {@code --jdbc-url} (required unless {@code --only jms}), {@code --user},
 * {@code --password} (default: $PGUSER / $PGPASSWORD), {@code --seconds} per round (3), {@code --rounds} (5),
 * {@code --threads} (8), {@code --pool} (8), {@code --deadline-ms} (5000), {@code --msg-bytes} (256),
 * {@code --tcp-port} (the JMS part also runs over a TCP acceptor on this port; {@code auto} (default) = a free one, 0 = in-VM only),
 * {@code --delivery persistent|non-persistent|both} (JMS delivery mode on both sides; both by default), {@code --only jdbc|jms|state}
 * (state: cage state writes vs raw JDBC upserts on an embedded H2 file and on the PostgreSQL, see {@link StateBench}).
 */
public final class ResourceBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "3"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
        int threads = Integer.parseInt(o.getOrDefault("threads", "8"));
        int pool = Integer.parseInt(o.getOrDefault("pool", "8"));
        long deadlineMs = Long.parseLong(o.getOrDefault("deadline-ms", "5000"));
        int msgBytes = Integer.parseInt(o.getOrDefault("msg-bytes", "256"));
        String tcp = o.getOrDefault("tcp-port", "auto");
        int tcpPort;
        if (tcp.equals("auto")) {
            try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                tcpPort = probe.getLocalPort();
            }
        } else {
            tcpPort = Integer.parseInt(tcp);
        }
        String only = o.getOrDefault("only", "all");
        String delivery = o.getOrDefault("delivery", "both");
        List<JmsSettings.Delivery> modes = delivery.equals("both")
                ? List.of(JmsSettings.Delivery.PERSISTENT, JmsSettings.Delivery.NON_PERSISTENT)
                : List.of(JmsSettings.Delivery.parse(delivery));

        System.out.printf("cages resource bench: %d cores, %s, %d rounds of %.0f s per system (order rotating), one warm-up round each%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), rounds, seconds);
        if (only.equals("state")) {
            Path dir = Files.createTempDirectory("cages-resbench-state");
            try {
                StateBench.runH2(dir, threads, seconds, rounds, deadlineMs);
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
            String url = o.get("jdbc-url");
            if (url != null) {
                StateBench.runPostgres(url, o.getOrDefault("user", System.getenv("PGUSER")),
                        o.getOrDefault("password", System.getenv("PGPASSWORD")), pool, threads, seconds, rounds, deadlineMs);
            }
            return;
        }
        if (!only.equals("jms")) {
            String url = o.get("jdbc-url");
            if (url == null) {
                throw new IllegalArgumentException("--jdbc-url is required for the JDBC part");
            }
            JdbcBench.run(url, o.getOrDefault("user", System.getenv("PGUSER")),
                    o.getOrDefault("password", System.getenv("PGPASSWORD")), pool, threads, seconds, rounds, deadlineMs);
        }
        if (!only.equals("jdbc")) {
            Path dir = Files.createTempDirectory("cages-resbench-broker");
            try {
                JmsBench.run(dir, tcpPort, threads, seconds, rounds, msgBytes, deadlineMs, modes);
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
