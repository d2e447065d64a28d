package io.cages.host.admin;

import java.util.List;

/**
 * A snapshot of one cage for the admin API.
 *
 * @param name          cage name
 * @param activeVersion version taking new requests, or null while none is
 * @param running       requests running now (all versions)
 * @param queued        requests admitted but waiting for a slot
 * @param versions      installed versions: the active one and any still draining
 * @param source        the deploy-folder file this cage came from, or null
 * @param idempotent    operations the active version declares safe to repeat ({@code Cage-Idempotent})
 */
public record CageInfo(String name, String activeVersion, int running, int queued, List<VersionInfo> versions,
                       String source, List<String> idempotent) {

    /**
     * @param version  bundle version
     * @param bundleId OSGi bundle id
     * @param state    ACTIVE or DRAINING
     * @param inFlight requests this version is executing
     */
    public record VersionInfo(String version, long bundleId, String state, int inFlight) {
    }
}
