package io.cages.host.admin;

import java.util.List;

/**
 * The durable calls this host relays, for its metrics: stored calls per target cage and status, read from its
 * outboxes (cached for a few seconds), and what its relay recorded since the host started.
 *
 * @param stored    calls per (target cage, status: pending, done, failed, expired, cancelled); finished calls
 *                  stay counted until purged after the dedupe window
 * @param inFlight  pending calls being delivered right now
 * @param delivered attempts the target answered: the call is done
 * @param retried   attempts that failed with a retryable error: the call stays pending, due again after a back-off
 * @param failed    attempts the target refused for good (bad request, not found): the call failed
 * @param expired   calls that reached their expiry undelivered
 */
public record DurableCallCounts(List<Stored> stored, int inFlight, long delivered, long retried, long failed, long expired) {

    /** A host whose resource provider stores no durable calls. */
    public static final DurableCallCounts NONE = new DurableCallCounts(List.of(), 0, 0, 0, 0, 0);

    public DurableCallCounts {
        stored = List.copyOf(stored);
    }

    /** {@code calls} stored calls to {@code cage} with {@code status}. */
    public record Stored(String cage, String status, long calls) {
    }
}
