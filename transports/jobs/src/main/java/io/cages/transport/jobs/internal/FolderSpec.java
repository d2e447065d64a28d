package io.cages.transport.jobs.internal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A watched folder as declared in {@code configs/jobs/<cage>.json}.
 *
 * @param cage        cage its files go to
 * @param name        watch name, unique within the cage
 * @param operation   operation called for each file
 * @param path        the folder; {@code done/} and {@code failed/} are made inside it
 * @param poll        how often it is listed; a file is taken once two listings in a row saw the same size and time
 * @param maxAttempts failed handlings of one file before it goes to {@code failed/}
 * @param timeout     each handling's deadline, or null for the cage's own timeout
 */
public record FolderSpec(String cage, String name, String operation, Path path, Duration poll, int maxAttempts,
                         Duration timeout) {

    public String id() {
        return cage + "/" + name;
    }
}
