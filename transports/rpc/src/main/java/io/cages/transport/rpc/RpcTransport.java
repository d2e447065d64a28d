package io.cages.transport.rpc;

import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.transport.rpc.internal.Server;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPC transport, server side: binds a TCP port and turns REQUEST frames (FORMAT.md) into requests for
 * the host's dispatcher, answering each with a RESPONSE or ERROR frame of the same id. Requests on one
 * connection run concurrently and are answered in completion order.
 *
 * <p>The caller's remaining deadline becomes the request's deadline; a request arriving with 0 ms left is
 * answered DEADLINE_EXCEEDED without being dispatched. Errors carry the code, message, this host's name and
 * the cage and operation, never a stack trace.
 */
public final class RpcTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(RpcTransport.class);

    private final RpcSettings settings;
    private final RpcTls tls;

    // CONCURRENCY: written by start() on the host's thread; volatile for readers elsewhere.
    private volatile Server server;

    /** With {@link RpcSettings#defaults()}: port 7070 on all interfaces. */
    public RpcTransport() {
        this(RpcSettings.defaults());
    }

    public RpcTransport(RpcSettings settings) {
        this(settings, null);
    }

    /**
     * With {@code tls} every connection is mutual TLS (null: plain TCP): a peer whose certificate is not from the
     * CA bundle or names another flock, or that does not speak TLS, is refused in the handshake, before any frame
     * is read, and logged (rate-limited). The calling host's name from its certificate is the request attribute
     * {@code peer.host}.
     */
    public RpcTransport(RpcSettings settings, RpcTls tls) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tls = tls;
    }

    @Override
    public String name() {
        return "rpc";
    }

    @Override
    public void start(TransportContext context) throws Exception {
        if (server != null) {
            throw new IllegalStateException("the rpc transport is already started");
        }
        server = Server.start(context.dispatcher(), context.config().name(), settings, tls);
        LOG.info("rpc transport listening on {}{}", server.localAddress(), tls == null ? "" : " (mutual TLS, " + tls.credentials() + ")");
    }

    /** The address the server listens on (with the actual port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        Server s = server;
        if (s == null) {
            throw new IllegalStateException("the rpc transport is not started");
        }
        return s.localAddress();
    }

    /** Frames refused as malformed, oversized or unexpected since start. */
    public long refusedFrames() {
        Server s = server;
        return s == null ? 0 : s.refusedFrames();
    }

    /** Connections refused in their TLS handshake since start (0 without TLS). */
    public long refusedConnections() {
        Server s = server;
        return s == null ? 0 : s.refusedConnections();
    }

    /** REQUEST frames received since start. */
    public long requests() {
        Server s = server;
        return s == null ? 0 : s.requests();
    }

    /**
     * The open mutual TLS connections accepted: per connection the certificate the calling host presented and the
     * one this host presented (empty without TLS). Shows which credentials the live connections use after a rotation.
     */
    public List<TlsConnection> tlsConnections() {
        Server s = server;
        return s == null ? List.of() : s.tlsConnections();
    }

    /** Connections closed since start because a CA rotation removed the CA that authenticated their peer. */
    public long closedUntrusted() {
        Server s = server;
        return s == null ? 0 : s.closedUntrusted();
    }

    /**
     * One accepted mutual TLS connection.
     *
     * @param peer  the certificate the calling host presented
     * @param local the certificate this host presented
     */
    public record TlsConnection(X509Certificate peer, X509Certificate local) {
    }

    public RpcSettings settings() {
        return settings;
    }

    /**
     * Closes the listener and answers new requests on open connections with UNAVAILABLE ("not executed");
     * replies to requests already dispatched are still written.
     */
    @Override
    public void stopAccepting() {
        Server s = server;
        if (s != null) {
            s.stopAccepting();
        }
    }

    @Override
    public void close() {
        Server s = server;
        if (s != null) {
            s.close();
        }
    }
}
