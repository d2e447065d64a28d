package io.cages.transport.http.internal;

import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The target of a cage request: {@code /<cage>/<operation>[?query]}. Parsed with index arithmetic rather
 * than a regex or {@link java.net.URI}, because it runs for every request.
 *
 * @param cage      cage name, percent-decoded
 * @param operation operation name, percent-decoded
 * @param rawPath   the path as sent, without the query
 * @param query     the raw query string after {@code ?}, or null
 */
record CagePath(String cage, String operation, String rawPath, String query) {

    /**
     * Parses a request URI (origin form {@code /a/b?q}, or absolute form {@code http://host/a/b?q}).
     *
     * @return the target, or null when the path is not exactly two non-empty segments
     * @throws BadRequestException when a segment holds a malformed percent escape
     */
    static CagePath parse(String uri) throws BadRequestException {
        int start = 0;
        if (!uri.startsWith("/")) {
            int scheme = uri.indexOf("://");
            start = scheme < 0 ? -1 : uri.indexOf('/', scheme + 3);
            if (start < 0) {
                return null;
            }
        }
        int query = uri.indexOf('?', start);
        int end = query < 0 ? uri.length() : query;
        int slash = uri.indexOf('/', start + 1);
        if (slash < 0 || slash >= end || slash == start + 1 || slash == end - 1) {
            return null;
        }
        int third = uri.indexOf('/', slash + 1);
        if (third >= 0 && third < end) {
            return null;
        }
        return new CagePath(decode(uri.substring(start + 1, slash)), decode(uri.substring(slash + 1, end)),
                uri.substring(start, end), query < 0 ? null : uri.substring(query + 1));
    }

    /** Percent-decodes a path segment; unlike in a query, '+' is a literal plus in a path. */
    private static String decode(String segment) throws BadRequestException {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            return QueryStringDecoder.decodeComponent(segment.replace("+", "%2B"));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("malformed path segment '" + ConnectionHandler.clip(segment) + "': " + e.getMessage());
        }
    }
}
