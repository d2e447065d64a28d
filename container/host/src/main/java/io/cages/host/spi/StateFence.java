package io.cages.host.spi;

/**
 * What the host knows about one cage version that its state writes depend on; see {@link StateStore}.
 *
 * <p>The drain rule: a version that was switched away from may still write while it drains, but only from
 * requests it admitted before the switch ({@link #vouched}), and not at all once it is retired. Everything
 * else it writes is refused unless the epoch in the state database is still the one it holds.
 */
public interface StateFence {

    String cage();

    String version();

    /** The epoch this version holds in the state database, or 0 when it holds none (yet). */
    long epoch();

    /** Records the epoch the version took at its first write (see {@link StateStore#activate}). */
    void hold(long epoch);

    /** True while this version is the one this host sends new requests to. */
    boolean active();

    /** True once the version is retired (drained and stopped, or never started). */
    boolean retired();

    /**
     * True when the host vouches for a write on the calling thread: the version was switched away from, is not
     * retired yet, and the thread serves a request of this version (admitted before the switch).
     */
    boolean vouched();
}
