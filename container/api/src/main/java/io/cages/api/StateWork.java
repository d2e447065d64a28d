package io.cages.api;

/**
 * Work on the cage's state inside a {@link Transaction}: every call on the given {@link CageState} joins the
 * transaction and commits with its other parts, or not at all.
 *
 * @param <T> what the work returns (its entry in {@link Transaction#commit})
 * @since 2.2
 */
@FunctionalInterface
public interface StateWork<T> {
    T apply(CageState state) throws CageException;
}
