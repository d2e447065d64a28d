package io.cages.host.admin;

import java.util.List;

/**
 * What the health monitor knows: this host's state and the matrix of hosts x cages.
 *
 * @param host      this host's name
 * @param state     {@code starting} (the first probe of its own cages has not ended), {@code serving} or
 *                  {@code draining} (shutting down)
 * @param periodMs  the probe period
 * @param timeoutMs the probe timeout
 * @param entries   every cage on every host the monitor knows, sorted by host then cage
 */
public record HealthView(String host, String state, long periodMs, long timeoutMs, List<HealthEntry> entries) {

    public static final String STARTING = "starting";
    public static final String SERVING = "serving";
    public static final String DRAINING = "draining";

    public HealthView {
        entries = List.copyOf(entries);
    }

    /** This host's own cages that are not up (degraded or down), for its readiness. */
    public List<HealthEntry> localProblems() {
        return entries.stream().filter(e -> e.host().equals(host) && !e.serving()).toList();
    }

    /** Ready for traffic: serving, and every cage of this host is up. */
    public boolean ready() {
        return SERVING.equals(state) && localProblems().isEmpty();
    }
}
