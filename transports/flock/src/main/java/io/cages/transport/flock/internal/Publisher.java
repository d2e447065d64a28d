package io.cages.transport.flock.internal;

import io.cages.transport.flock.FlockSettings;
import io.cages.host.admin.Admin;
import io.cages.host.admin.CageInfo;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this host's cages and load to the flock: when they change (checked every {@code publishMs}) and
 * at least once a second regardless, so a member that missed a message catches up.
 */
final class Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    private static final long REFRESH_MS = 1_000;

    private final String hostName;
    private final FlockSettings settings;
    private final Admin admin;
    private final String rpcHost;
    private final int rpcPort;
    private final AtomicLong seq = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cages-transport-flock-publisher");
        t.setDaemon(true);
        return t;
    });
    private volatile Directory directory;
    private volatile boolean retired;
    private HostInfo last;
    private long lastSentNanos;

    Publisher(String hostName, FlockSettings settings, Admin admin, int rpcPort) {
        this.hostName = hostName;
        this.settings = settings;
        this.admin = admin;
        this.rpcHost = settings.bind() != null && !settings.bind().equals("0.0.0.0") ? settings.bind() : guessAddress();
        this.rpcPort = rpcPort;
    }

    /** This host's info now. */
    HostInfo current() {
        List<HostInfo.CageEntry> cages = new ArrayList<>();
        int inFlight = 0;
        int queued = 0;
        if (!retired) {
            for (CageInfo cage : admin.cages()) {
                inFlight += cage.running();
                queued += cage.queued();
                if (cage.activeVersion() != null) {
                    cages.add(new HostInfo.CageEntry(cage.name(), cage.activeVersion(), cage.idempotent()));
                }
            }
        }
        return new HostInfo(hostName, settings.name(), rpcHost, rpcPort, cages, inFlight, queued, seq.incrementAndGet(),
                adminUrl(admin.adminAddress(), rpcHost));
    }

    /**
     * Where this host's admin API is reached: {@code http://} and the address the listener is bound to, but
     * for a wildcard bind (0.0.0.0, ::) the address this host publishes for RPC, the one its peers reach it on.
     * Null when no admin listener runs. Asked at each publication, so the order transports start in is free.
     */
    static String adminUrl(InetSocketAddress bound, String flockHost) {
        if (bound == null) {
            return null;
        }
        InetAddress address = bound.getAddress();
        String host = address == null ? bound.getHostString()
                : address.isAnyLocalAddress() ? flockHost : address.getHostAddress();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal in a URL
        }
        return "http://" + host + ":" + bound.getPort();
    }

    void start(Directory target) {
        this.directory = target;
        timer.scheduleWithFixedDelay(this::tick, settings.publishMs(), settings.publishMs(), TimeUnit.MILLISECONDS);
    }

    private synchronized void tick() {
        try {
            HostInfo now = current();
            if (!now.sameAs(last) || System.nanoTime() - lastSentNanos > TimeUnit.MILLISECONDS.toNanos(REFRESH_MS)) {
                directory.publish(now);
                last = now;
                lastSentNanos = System.nanoTime();
            }
        } catch (RuntimeException e) {
            LOG.warn("publishing this host's cages failed; trying again", e);
        }
    }

    /** From now on publishes that this host runs nothing, and stops the periodic publication. */
    synchronized void retire() {
        if (retired) {
            return;
        }
        retired = true;
        timer.shutdownNow();
        Directory d = directory;
        if (d != null) {
            d.publish(current());
        }
    }

    /** The first non-loopback IPv4 address of an interface that is up, or loopback. */
    static String guessAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            LOG.warn("cannot list network interfaces: {}", e.toString());
        }
        return "127.0.0.1";
    }
}
