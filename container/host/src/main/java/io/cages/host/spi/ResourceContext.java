package io.cages.host.spi;

import io.cages.api.Deadline;
import io.cages.host.spi.ResourceProvider;
import io.cages.host.HostConfig;

/** What the host gives its {@link ResourceProvider}. */
public interface ResourceContext {

    HostConfig config();

    /**
     * The deadline of the request this thread is serving, so resources honour it without cages passing it
     * along; outside a request (a cage's start, a background thread) the default cage timeout from now.
     * Providers ask for it before every use of a resource.
     *
     * @throws IllegalStateException inside an operation the cage declared non-blocking ({@code Cage-Non-Blocking}):
     *                               it may run on an I/O thread, and every resource use blocks
     */
    Deadline currentDeadline();
}
