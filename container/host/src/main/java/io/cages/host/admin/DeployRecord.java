package io.cages.host.admin;

import java.time.Instant;

/**
 * One deploy, update or undeploy attempt and how it ended.
 *
 * @param seq        increasing number
 * @param at         when it started
 * @param action     DEPLOY, UPDATE, UNDEPLOY or ROLLBACK (back to {@code version}, from {@code previous})
 * @param cage       cage name (null when the jar was not a valid cage)
 * @param version    version deployed or undeployed (null when unknown)
 * @param previous   the version active before, or null
 * @param origin     who asked: {@code folder:<file>}, {@code admin-api}, ...
 * @param outcome    what happened
 * @param reason     why it failed, or for a ROLLBACK why it was rolled back; null otherwise
 * @param durationMs from the request to the new version serving (or to the failure)
 */
public record DeployRecord(long seq, Instant at, String action, String cage, String version, String previous,
                           String origin, Outcome outcome, String reason, long durationMs) {

    public enum Outcome {
        /** The new version serves. */
        ACTIVE,
        /** The cage is gone. */
        UNDEPLOYED,
        /** Nothing changed; {@code previous} (if any) is still active. */
        FAILED
    }

    public boolean succeeded() {
        return outcome != Outcome.FAILED;
    }
}
