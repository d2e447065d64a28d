package io.cages.transport.flock;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.transport.flock.internal.Membership;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTransport;
import io.cages.transport.rpc.HostCredentials;
import io.cages.transport.rpc.RpcTls;
import io.cages.host.HostConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a host a member of a flock: the RPC listener for calls from other hosts, the directory (JGroups)
 * that says which host runs which cage, and the router this host's calls by name go through. Found with
 * {@link java.util.ServiceLoader} like every transport; without a {@code transports.flock} section in the host
 * config it does nothing and the host stands alone.
 *
 * <p>Shutdown: {@link #stopAccepting()} first tells the flock this host runs nothing any more (so callers
 * stop choosing it) and stops the RPC listener; in-flight calls still answer; {@link #close()} leaves the
 * flock and closes the connections.
 */
public final class FlockTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(FlockTransport.class);

    private final FlockCredentials credentials;
    private volatile RpcTransport rpc;
    private volatile RpcClient client;
    private volatile Membership membership;
    private volatile RpcTls tls;

    /** As {@link java.util.ServiceLoader} makes it: the membership is protected when the host has a {@code tls} section. */
    public FlockTransport() {
        this(null);
    }

    /**
     * With {@code credentials} (null: none), only hosts holding a certificate from the same flock CA that names the
     * same flock join this host's flock, and the directory travels encrypted.
     */
    public FlockTransport(FlockCredentials credentials) {
        this.credentials = credentials;
    }

    /**
     * What the membership authenticates with: the credentials given to the constructor (embedding, tests), else the
     * host's own {@code tls} files as RPC reads them, else none (open membership, as before). A rotation of the files
     * reaches the membership when it reaches RPC ({@link #membershipFollowsTls}): joins from then on use the new ones.
     */
    private FlockCredentials membershipCredentials() {
        if (credentials != null) {
            return credentials;
        }
        if (tls == null) {
            return null;
        }
        HostCredentials host = tls.credentials();
        return new FlockCredentials(host.keyStore(), HostCredentials.KEY_STORE_PASSWORD, host.trustStore());
    }

    @Override
    public String name() {
        return "flock";
    }

    @Override
    public void start(TransportContext context) throws Exception {
        JsonNode section = context.config().transport("flock");
        if (section == null) {
            LOG.info("host {} is in no flock (no transports.flock section): calls by name stay on this host", context.config().name());
            if (context.config().tls() != null) {
                LOG.warn("host {} has tls credentials but no flock: they are not used", context.config().name());
            }
            return;
        }
        FlockSettings settings = FlockSettings.from(section);
        PlaintextFlockRule.check(settings, context.config().tls() != null, context.config().name());
        String bind = settings.bind() != null ? settings.bind() : "0.0.0.0";
        RpcSettings rpcSettings = RpcSettings.defaults().withHeartbeat(RpcSettings.defaults().heartbeatIntervalMs(), settings.rpcIdleTimeoutMs());
        HostConfig.Tls tlsFiles = context.config().tls();
        if (tlsFiles != null) {
            // A wrong file stops the start here, naming the file.
            tls = RpcTls.watch(tlsFiles.ca(), tlsFiles.cert(), tlsFiles.key(), context.config().name(), settings.name());
        }
        rpc = new RpcTransport(rpcSettings.withBind(bind, settings.rpcPort()), tls);
        rpc.start(HealthAnswering.wrap(context)); // answers other hosts' health probes before the dispatcher
        client = new RpcClient(rpcSettings, tls);
        Membership members = Membership.join(context.config().name(), settings, membershipCredentials(), context.admin(),
                rpc.localAddress().getPort());
        membership = members;
        if (credentials == null && tls != null) {
            tls.onChange(this::membershipFollowsTls);
        }
        CallRouter router = new CallRouter(client, members.copies(), RouterSettings.defaults());
        // Ends the calls in flight to a host the directory dropped. Why: a host cut off from the flock answers
        // nothing, not even with a reset, so without this its calls would wait for the RPC idle timeout,
        // longer than the flock takes to drop it.
        members.onDeparture(router::hostLeft);
        context.offerRemoteCalls(members.remoteCalls(router));
        context.offerFlockProbe(members.healthProbes(client));
    }

    /** A rotation of the tls files reached RPC: the membership takes the same credentials (see README, rotation). */
    private void membershipFollowsTls() {
        Membership m = membership;
        FlockCredentials now = membershipCredentials();
        if (m == null || now == null) {
            return;
        }
        try {
            m.updateCredentials(now);
            LOG.info("flock membership: new {} in use for joins", tls.credentials());
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            LOG.warn("flock membership: the new tls credentials cannot be used; joins keep the previous ones: {}", e.toString());
        }
    }

    /** The RPC listener's port, or -1 when not in a flock. */
    public int rpcPort() {
        RpcTransport r = rpc;
        return r == null ? -1 : r.localAddress().getPort();
    }

    @Override
    public void stopAccepting() {
        Membership m = membership;
        if (m != null) {
            m.retire(); // publishes "no cages here" so callers stop choosing this host
        }
        RpcTransport r = rpc;
        if (r != null) {
            r.stopAccepting();
        }
    }

    @Override
    public void close() {
        Membership m = membership;
        if (m != null) {
            m.close();
        }
        RpcTransport r = rpc;
        if (r != null) {
            r.close();
        }
        RpcClient c = client;
        if (c != null) {
            c.close();
        }
        RpcTls t = tls;
        if (t != null) {
            t.close();
        }
    }

    /** The RPC listener (tests: its connections), or null when not in a flock. */
    RpcTransport rpcTransport() {
        return rpc;
    }

    /** The RPC client calls by name go out on (tests: its drained connections), or null when not in a flock. */
    RpcClient rpcClient() {
        return client;
    }

    /** This host's mutual TLS credentials (re-read on change), or null when RPC is plain TCP. */
    public RpcTls tls() {
        return tls;
    }
}
