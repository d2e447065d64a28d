package io.cages.transport.http.internal;

import io.cages.host.HostConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use the admin listener. It can deploy code, so beyond loopback it needs a token; with a token set,
 * every admin request must carry it as {@code Authorization: Bearer <token>}, on loopback too.
 */
final class AdminAccess {

    private static final String BEARER = "Bearer ";

    /** The token's bytes, or null when none is set (loopback only). */
    private final byte[] token;

    private AdminAccess(byte[] token) {
        this.token = token;
    }

    /**
     * The access rule for these settings.
     *
     * @throws IllegalStateException when the admin listener would bind beyond loopback without a token; the
     *                               message says how to set one
     */
    static AdminAccess of(HostConfig.Http settings) {
        String token = settings.adminToken();
        if (token == null && settings.adminPort() != -1 && !isLoopback(settings.adminBind())) {
            throw new IllegalStateException("the admin listener would bind to " + settings.adminBind()
                    + ", beyond loopback, without a token: anyone who reaches it could deploy code. Set one with \"adminToken\" in the"
                    + " \"http\" section of host.json (e.g. \"adminToken\": \"${env:MY_ADMIN_TOKEN}\") or the environment variable "
                    + HostConfig.Http.ADMIN_TOKEN_ENV + ", or bind the admin listener to loopback (\"adminBind\": \"127.0.0.1\")");
        }
        return new AdminAccess(token == null ? null : token.getBytes(StandardCharsets.UTF_8));
    }

    static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** True when no token is set, or the request carries the right one (compared in constant time). */
    boolean allows(HttpHeaders headers) {
        if (token == null) {
            return true;
        }
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] given = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }
}
