package io.cages.transport.http.internal;

/**
 * Whether a client-supplied {@code X-Request-Id} may be adopted. The id is echoed in headers, error bodies
 * and logs, so only short ids of {@code [A-Za-z0-9._-]} are taken; anything else gets a fresh id from the
 * dispatcher. A plain loop rather than a regex: this runs for every request that carries the header.
 */
final class RequestIds {

    static final int MAX_LENGTH = 64;

    private RequestIds() {
    }

    static boolean isSane(CharSequence id) {
        if (id == null) {
            return false;
        }
        int length = id.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
