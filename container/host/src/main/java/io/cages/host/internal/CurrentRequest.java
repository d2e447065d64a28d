package io.cages.host.internal;

import io.cages.api.Deadline;
import io.cages.api.Request;

/**
 * The request a handler thread is serving, so that calls it makes by name inherit its deadline and trace
 * without the cage passing them along. Each request has its own virtual thread, so the value never leaks
 * from one request to another; it is cleared when the handler returns all the same.
 */
final class CurrentRequest {

    private static final ThreadLocal<Request> CURRENT = new ThreadLocal<>();

    private CurrentRequest() {
    }

    static void set(Request request) {
        CURRENT.set(request);
    }

    static void clear() {
        CURRENT.remove();
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
