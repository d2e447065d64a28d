package io.cages.host;

import java.util.List;

/**
 * The flock's directory as operators see it ({@code GET /flock}). A {@link RemoteCalls} that also implements
 * this interface is asked by {@link Admin#flock()}.
 */
public interface FlockView {

    /** The hosts of the flock this host knows, itself included. */
    List<FlockMember> members();
}
