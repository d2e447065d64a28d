package io.cages.host.internal;

import io.cages.api.Deadline;
import io.cages.api.Request;

/**
 * The request a handler thread is serving, so that calls it makes by name inherit its deadline and trace
 * without the cage passing them along. A request on its own virtual thread clears it when the handler
 * returns; a non-blocking one, run on the thread that dispatched it (an I/O thread, or the thread of a
 * handler calling it by name), puts back what that thread had.
 */
final class CurrentRequest {

    private static final ThreadLocal<Request> CURRENT = new ThreadLocal<>();

    private CurrentRequest() {
    }

    static void set(Request request) {
        CURRENT.set(request);
    }

    /** Puts back what {@link #get} returned before a handler ran here (null: nothing). */
    static void restore(Request previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /**
     * Refuses {@code what} (e.g. "call cage 'billing' and wait") inside an operation declared non-blocking:
     * it may be running on an I/O thread, where waiting would stall every other connection of that thread.
     *
     * @throws IllegalStateException naming the operation, the header and what was refused
     */
    static void refuseIfNonBlocking(String what) {
        if (CURRENT.get() instanceof HostRequest request && request.nonBlocking()) {
            throw new IllegalStateException("cage '" + request.cage() + "' operation '" + request.operation()
                    + "' is declared in " + CageManifest.CAGE_NON_BLOCKING + ", so it may not " + what
                    + ": it may run on an I/O thread; remove the operation from that header");
        }
    }

    /** The request being served on this thread, or null outside a handler. */
    static Request get() {
        return CURRENT.get();
    }

    /** The deadline of {@code current} (from {@link #get}); outside a handler (null), {@code fallbackMs} from now. */
    static Deadline deadlineOf(Request current, long fallbackMs) {
        return current != null ? current.deadline() : Deadline.afterMillis(fallbackMs);
    }
}
