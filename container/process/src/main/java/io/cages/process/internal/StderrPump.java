package io.cages.process.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a process's stderr to the host log line by line, each with the id of the request the process serves,
 * up to a byte budget per request (lines are cut at 4 KiB); past the budget the rest is read and dropped, so the
 * process never blocks on a full pipe, and one line says so.
 */
final class StderrPump {

    private static final Logger LOG = LoggerFactory.getLogger("io.cages.process.stderr");
    private static final int MAX_LINE = 4096;

    private StderrPump() {
    }

    /**
     * @param who       the process, e.g. "cage pricing 1.0.0 worker 3 (pid 123)"
     * @param requestId the id of the request it serves now (null when idle)
     */
    static void start(InputStream stderr, String who, Supplier<String> requestId, int maxBytes) {
        Thread.ofVirtual().name("cage-stderr").start(() -> {
            long budget = maxBytes;
            String budgetOf = null;
            boolean cut = false;
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try (InputStream in = new BufferedInputStream(stderr)) {
                for (int b; ; ) {
                    b = in.read();
                    if (b != '\n' && b != -1) {
                        if (line.size() < MAX_LINE) {
                            line.write(b);
                        }
                        continue;
                    }
                    if (line.size() > 0) {
                        String id = requestId.get();
                        if (!Objects.equals(id, budgetOf)) { // a new request: a new budget
                            budgetOf = id;
                            budget = maxBytes;
                            cut = false;
                        }
                        if (line.size() <= budget) {
                            budget -= line.size() + 1;
                            LOG.info("{} [{}]: {}", who, id == null ? "-" : id, line.toString(StandardCharsets.UTF_8));
                        } else if (!cut) {
                            cut = true;
                            LOG.warn("{} [{}]: stderr over its limit of {} bytes; the rest is dropped", who, id == null ? "-" : id, maxBytes);
                        }
                        line.reset();
                    }
                    if (b == -1) {
                        return;
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
    }
}
