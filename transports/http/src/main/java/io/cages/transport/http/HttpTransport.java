package io.cages.transport.http;

import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.transport.http.internal.HttpServer;

/**
 * The HTTP transport: {@code GET|POST|PUT|DELETE /<cage>/<operation>} on the cage listener, and the admin API
 * on a second listener (loopback by default; {@code adminPort} -1 turns it off). Settings come from
 * {@link io.cages.host.HostConfig#http()}. Found by the host through {@link java.util.ServiceLoader}.
 */
public final class HttpTransport implements Transport {

    private volatile HttpServer server;

    public HttpTransport() {
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void start(TransportContext context) throws Exception {
        if (server != null) {
            throw new IllegalStateException("the HTTP transport is already started");
        }
        HttpServer started = new HttpServer(context.config().http(), context.dispatcher(), context.admin());
        started.start();
        server = started;
        if (started.adminAddress() != null) {
            context.offerAdminAddress(started.adminAddress()); // the flock publishes it: cagectl deploy --flock finds every host
        }
    }

    /** The port the cage listener is bound to (useful with port 0), or -1 before start. */
    public int port() {
        HttpServer s = server;
        return s == null ? -1 : s.port();
    }

    /** The port the admin listener is bound to, or -1 when it is disabled or before start. */
    public int adminPort() {
        HttpServer s = server;
        return s == null ? -1 : s.adminPort();
    }

    @Override
    public void stopAccepting() {
        HttpServer s = server;
        if (s != null) {
            s.stopAccepting();
        }
    }

    @Override
    public void close() {
        HttpServer s = server;
        if (s != null) {
            s.close();
        }
    }
}
