package io.cages.transport.flock.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each refusal of a host into the flock, but the same refusal of the same host at most once every
 * {@link #QUIET_MS}: a refused host retries its JOIN (and its key request) several times a second. Every refusal
 * is logged by this class's logger, whichever check refused.
 */
final class Refusals {

    static final long QUIET_MS = 10_000;
    private static final int MAX_REMEMBERED = 1_024; // a flood of made-up senders must not grow this without bound

    private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    /** Logs "refused {what} in flock '{flock}': {reason}" unless it was logged in the last {@link #QUIET_MS}. */
    void refused(String what, String flock, String reason) {
        long now = System.nanoTime();
        String key = what + "\n" + reason;
        Long last = lastLogged.get(key);
        if (last != null && now - last < QUIET_MS * 1_000_000L) {
            return;
        }
        if (lastLogged.size() >= MAX_REMEMBERED) {
            lastLogged.clear();
        }
        lastLogged.put(key, now);
        LOG.warn("refused {} in flock '{}': {}", what, flock, reason);
    }
}
