package io.cages.host.spi;

/**
 * Runs cages that are not OSGi bundles, for example process cages (a program in any language behind a
 * manifest). Found with {@link java.util.ServiceLoader} on the host's class path. Every archive deployed (deploy
 * folder, admin API) is offered to each runtime before it is read as a cage bundle; the first that recognizes it
 * takes it. The host then treats the cage like any other: the same admission, deadlines, swap with self-test,
 * drain, history and calls by name, through the {@link io.cages.api.CageHandler} the runtime builds.
 */
public interface CageRuntime {

    /** Short name for logs, e.g. {@code process}. */
    String kind();

    /**
     * Reads an archive's manifest without side effects.
     *
     * @return the cage, or null when the archive is not this runtime's kind
     * @throws IllegalArgumentException when it is this runtime's kind but its manifest is wrong (the message names what)
     */
    ForeignCage read(byte[] archive);
}
