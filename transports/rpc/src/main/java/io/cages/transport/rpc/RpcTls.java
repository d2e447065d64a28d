package io.cages.transport.rpc;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutual TLS for the RPC transport: this host's {@link HostCredentials}, re-read from disk when one of the three
 * files changes, and the TLS contexts made from them (TLS 1.3; a peer must present a certificate from the CA bundle
 * that names this flock). The TLS implementation is OpenSSL (netty-tcnative's BoringSSL) where it is available,
 * else the JDK's; {@code -Dcages.rpc.tls.provider=jdk|openssl} forces one. It is chosen when this is made,
 * logged once, and kept for every reload. Give the same instance to {@link RpcTransport} and
 * {@link RpcClient}.
 *
 * <p>Rotation: the files' modification times (and sizes and inodes) are polled every second. When they changed
 * and the new files pass every check of {@link HostCredentials#load}, new connections use them at once;
 * connections already open keep working, and the client moves its calls to new connections and closes the old
 * ones once their calls are answered. Files that do not pass (e.g. a certificate written before its key) are
 * logged once and the credentials in use stay, until the files are right.
 */
public final class RpcTls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RpcTls.class);
    static final long POLL_MS = 1_000;
    private static final List<String> PROTOCOLS = List.of("TLSv1.3");

    /** The credentials in use and the contexts made of them; replaced whole on a change. */
    private record State(HostCredentials credentials, SslContext server, SslContext client, long generation, List<Object> stamps) {
    }

    private final Path ca;
    private final Path cert;
    private final Path key;
    private final String hostName;
    private final String flockName;
    private final SslProvider provider;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller;
    // CONCURRENCY: replaced by the poller thread, read by event loops when a connection opens.
    private volatile State state;
    // CONCURRENCY: poller thread only.
    private String lastProblem;

    private RpcTls(Path ca, Path cert, Path key, String hostName, String flockName, boolean watch) {
        this.ca = ca;
        this.cert = cert;
        this.key = key;
        this.hostName = hostName;
        this.flockName = flockName;
        this.provider = TlsProviderChoice.choose();
        List<Object> stamps = stamps();
        this.state = build(HostCredentials.load(ca, cert, key, hostName, flockName), 1, stamps);
        if (watch) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cages-rpc-tls-watch");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::poll, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
        } else {
            poller = null;
        }
        LOG.info("rpc tls: {}, {} only, mutual, for host '{}' of flock '{}'", TlsProviderChoice.describe(provider),
                PROTOCOLS.get(0), hostName, flockName);
    }

    /**
     * Loads the credentials of host {@code hostName} in flock {@code flockName} and re-reads them whenever
     * the files change, until {@link #close()}.
     *
     * @throws IllegalArgumentException naming the file that is missing, unreadable or wrong
     */
    public static RpcTls watch(Path ca, Path cert, Path key, String hostName, String flockName) {
        return new RpcTls(Objects.requireNonNull(ca, "ca"), Objects.requireNonNull(cert, "cert"),
                Objects.requireNonNull(key, "key"), hostName, flockName, true);
    }

    /** As {@link #watch}, read once: the files are never re-read (tools, benchmarks). */
    public static RpcTls once(Path ca, Path cert, Path key, String hostName, String flockName) {
        return new RpcTls(ca, cert, key, hostName, flockName, false);
    }

    /** The credentials in use. */
    public HostCredentials credentials() {
        return state.credentials();
    }

    /** Starts at 1; one more on every change of the credentials in use. */
    public long generation() {
        return state.generation();
    }

    /** Runs {@code listener} (on the watch thread) after each change of the credentials in use. */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The TLS implementation in use: {@link SslProvider#OPENSSL} where it is available, else {@link SslProvider#JDK}. */
    public SslProvider provider() {
        return provider;
    }

    /** The server side's context now, for a connection being accepted. Internal to the transport. */
    public SslContext serverContext() {
        return state.server();
    }

    /** The client side's context now, for a connection being opened. Internal to the transport. */
    public SslContext clientContext() {
        return state.client();
    }

    /** Checks the files now (the poller does this every second); true when new credentials were taken. */
    public boolean reloadIfChanged() {
        synchronized (this) {
            State current = state;
            List<Object> stamps = stamps();
            if (stamps.equals(current.stamps())) {
                return false;
            }
            HostCredentials fresh;
            try {
                fresh = HostCredentials.load(ca, cert, key, hostName, flockName);
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().equals(lastProblem)) {
                    lastProblem = e.getMessage();
                    LOG.warn("rpc tls: the changed credentials are not used yet (the ones in use stay): {}", e.getMessage());
                }
                return false;
            }
            lastProblem = null;
            state = build(fresh, current.generation() + 1, stamps);
            LOG.info("rpc tls: new {} in use for new connections", fresh);
        }
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("rpc tls: a listener of the credentials change failed", e);
            }
        }
        return true;
    }

    private void poll() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            LOG.warn("rpc tls: checking the credential files failed", e);
        }
    }

    /** What tells a changed file: modification time, size and inode (a file moved into place is another inode). */
    private List<Object> stamps() {
        return List.of(stamp(ca), stamp(cert), stamp(key));
    }

    private static Object stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
        } catch (IOException e) {
            return "missing";
        }
    }

    private State build(HostCredentials credentials, long generation, List<Object> stamps) {
        SimpleTrustManagerFactory trust = flockTrust(credentials);
        try {
            SslContext server = SslContextBuilder.forServer(credentials.keyManagerFactory())
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(trust)
                    .build();
            SslContext client = SslContextBuilder.forClient()
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .keyManager(credentials.keyManagerFactory())
                    .trustManager(trust)
                    .build();
            return new State(credentials, server, client, generation, stamps);
        } catch (SSLException e) {
            throw new IllegalArgumentException("rpc tls: cannot make a TLS context of " + credentials + ": " + e.getMessage(), e);
        }
    }

    /** The bundle's PKIX check, then the flock rule (the peer's certificate names this flock and a host). */
    private static SimpleTrustManagerFactory flockTrust(HostCredentials credentials) {
        X509ExtendedTrustManager chain = null;
        for (TrustManager tm : credentials.trustManagerFactory().getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                chain = x;
            }
        }
        if (chain == null) {
            throw new IllegalStateException("the JDK has no X509ExtendedTrustManager");
        }
        X509ExtendedTrustManager pkix = chain;
        X509ExtendedTrustManager flock = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket) throws CertificateException {
                pkix.checkClientTrusted(certs, authType, socket);
                credentials.checkPeer(certs[0]);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket) throws CertificateException {
                pkix.checkServerTrusted(certs, authType, socket);
                credentials.checkPeer(certs[0]);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine) throws CertificateException {
                pkix.checkClientTrusted(certs, authType, engine);
                credentials.checkPeer(certs[0]);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine) throws CertificateException {
                pkix.checkServerTrusted(certs, authType, engine);
                credentials.checkPeer(certs[0]);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
                pkix.checkClientTrusted(certs, authType);
                credentials.checkPeer(certs[0]);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
                pkix.checkServerTrusted(certs, authType);
                credentials.checkPeer(certs[0]);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return pkix.getAcceptedIssuers();
            }
        };
        return new SimpleTrustManagerFactory() {
            @Override
            protected void engineInit(KeyStore keyStore) {
            }

            @Override
            protected void engineInit(ManagerFactoryParameters parameters) {
            }

            @Override
            protected TrustManager[] engineGetTrustManagers() {
                return new TrustManager[] {flock};
            }
        };
    }

    /** Stops watching the files; contexts in use stay usable. */
    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "rpc tls with " + state.credentials() + " (generation " + state.generation() + ")";
    }
}
