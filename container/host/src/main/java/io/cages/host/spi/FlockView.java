package io.cages.host.spi;

import java.util.List;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.admin.Admin;
import io.cages.host.admin.FlockMember;

/**
 * The flock's directory as operators see it ({@code GET /flock}). A {@link RemoteCalls} that also implements
 * this interface is asked by {@link Admin#flock()}.
 */
public interface FlockView {

    /** The hosts of the flock this host knows, itself included. */
    List<FlockMember> members();
}
