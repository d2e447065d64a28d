package io.cages.host.spi;

import io.cages.api.CageHandler;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** A cage archive a {@link CageRuntime} recognized: its manifest, and how to build one installed version. */
public interface ForeignCage {

    String name();

    /** The version, normalized like a bundle version ({@code 1.0} is {@code 1.0.0}). */
    String version();

    /** Operations safe to repeat. */
    List<String> idempotent();

    /**
     * Builds the handler of one installed version. The host then runs its start and self-test, routes requests to
     * it, and stops it once it drained.
     *
     * @param dir    a fresh folder of this version's own (the host deletes nothing in it; stop() should)
     * @param failed called at most once when the version gives up serving (for example, its workers crash too
     *               often); the host marks it FAILED in the cage list, the history and the log
     */
    CageHandler newHandler(Path dir, Consumer<String> failed) throws Exception;
}
