package io.cages.host.admin;

/**
 * One cell of the health monitor's matrix: a cage on a host, as the monitor last saw it.
 *
 * @param host      the host's name
 * @param cage      the cage's name
 * @param version   the active version the probe found, or null (down: none, or the host did not answer)
 * @param status    {@code up}, {@code degraded} (its self-test failed or took too long), {@code down} (not
 *                  running there, or the host left the flock or did not answer) or {@code restarted} (its host
 *                  restarted since the probe before; {@code up} from the next probe on)
 * @param reason    why it is not up, or null
 * @param since     when it entered this status (epoch ms)
 * @param lastProbe when the monitor last probed it (epoch ms)
 */
public record HealthEntry(String host, String cage, String version, String status, String reason, long since, long lastProbe) {

    public static final String UP = "up";
    public static final String DEGRADED = "degraded";
    public static final String DOWN = "down";
    public static final String RESTARTED = "restarted";

    /** True for up and restarted: the cage answers there. */
    public boolean serving() {
        return UP.equals(status) || RESTARTED.equals(status);
    }
}
