package io.cages.host.admin;

import java.time.Instant;

/**
 * A config file that was rejected; the previous config of that cage stays in force.
 *
 * @param file   path of the file
 * @param reason what was wrong with it
 * @param at     when it was rejected
 */
public record ConfigProblem(String file, String reason, Instant at) {
}
