package io.cages.transport.flock;

import java.util.List;
import io.cages.transport.flock.CageCopy;

/** Where the copies of a cage are: the flock's directory, or a fixed list in tests. */
@FunctionalInterface
public interface CopyFinder {

    /** The copies of {@code cage} on other hosts; empty when none runs it. Called per attempt: keep it cheap. */
    List<CageCopy> copiesOf(String cage);
}
