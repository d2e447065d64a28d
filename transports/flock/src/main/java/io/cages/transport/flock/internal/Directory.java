package io.cages.transport.flock.internal;

import io.cages.host.spi.HostJson;
import io.cages.transport.flock.FlockCredentials;
import io.cages.transport.flock.FlockSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flock's directory: every member's latest {@link HostInfo}, kept by JGroups membership. A member is
 * listed once its info arrived and until it leaves the view (left, died, cut off). When members join or a
 * partition heals, this host publishes its info again so newcomers learn it without waiting.
 */
final class Directory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Directory.class);

    private final JChannel channel;
    private final Map<Address, HostInfo> members = new ConcurrentHashMap<>();
    private final List<Consumer<List<HostInfo>>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<HostInfo>> departureListeners = new CopyOnWriteArrayList<>();
    private volatile HostInfo self;
    // CONCURRENCY: set once by join(), before the directory is shared; null on the open stack.
    private FlockTrust trust;
    private volatile View view;
    private volatile long lastMalformedWarning = System.nanoTime() - 2_000_000_000L;

    private Directory(JChannel channel) {
        this.channel = channel;
    }

    /** Joins the flock, publishing {@code initial} as this host's info. */
    static Directory join(FlockSettings settings, HostInfo initial) throws Exception {
        return join(settings, null, initial);
    }

    /**
     * Joins the flock, publishing {@code initial} as this host's info; with {@code credentials} (else null) over
     * the protected stack, where only hosts with a flock certificate get in and read the directory.
     */
    static Directory join(FlockSettings settings, FlockCredentials credentials, HostInfo initial) throws Exception {
        FlockTrust trust = credentials == null ? null : FlockTrust.of(settings.name(), credentials);
        JChannel channel = JGroupsStack.channel(settings, trust);
        channel.setName(initial.name());
        channel.setDiscardOwnMessages(true);
        Directory directory = new Directory(channel);
        directory.trust = trust;
        directory.self = initial;
        channel.setReceiver(directory.new Listener());
        try {
            channel.connect(settings.name());
        } catch (Exception | Error e) {
            channel.close();
            throw e;
        }
        directory.publish(initial);
        LOG.info("host {} joined flock '{}' ({} discovery, {}); view {}", initial.name(), settings.name(), settings.discovery(),
                credentials == null ? "membership open to any host that reaches it, directory in plain text"
                        : "members authenticated by the flock CA, directory encrypted", channel.getView());
        return directory;
    }

    /**
     * From now on joins, and admits joiners, with {@code credentials} (rotated on disk); members already in stay.
     * False on the open stack, which has none to update.
     */
    boolean updateCredentials(FlockCredentials credentials) throws java.security.GeneralSecurityException {
        if (trust == null) {
            return false;
        }
        trust.update(credentials);
        return true;
    }

    /** The JGroups channel, for tests that look at the wire. */
    JChannel channel() {
        return channel;
    }

    /** Publishes this host's info to every member. */
    void publish(HostInfo info) {
        self = info;
        send(info);
    }

    /** The hosts of the flock with their info, this host first. */
    List<HostInfo> hosts() {
        List<HostInfo> all = new ArrayList<>();
        all.add(self);
        all.addAll(members.values());
        return all;
    }

    /** The other hosts. */
    List<HostInfo> others() {
        return List.copyOf(members.values());
    }

    HostInfo self() {
        return self;
    }

    void addListener(Consumer<List<HostInfo>> listener) {
        listeners.add(listener);
    }

    /**
     * Tells {@code listener} of every host that leaves the view (left, died, cut off), with its last info.
     * Called on JGroups' thread: it must not block.
     */
    void addDepartureListener(Consumer<HostInfo> listener) {
        departureListeners.add(listener);
    }

    private void send(HostInfo info) {
        try {
            channel.send(new BytesMessage(null, HostJson.MAPPER.writeValueAsBytes(info)));
        } catch (Exception e) {
            LOG.warn("publishing to the flock failed: {}", e.toString());
        }
    }

    private void departed(HostInfo info) {
        for (Consumer<HostInfo> listener : departureListeners) {
            try {
                listener.accept(info);
            } catch (RuntimeException e) {
                LOG.warn("a directory departure listener failed for host {}", info.name(), e);
            }
        }
    }

    private void changed() {
        List<HostInfo> now = hosts();
        for (Consumer<List<HostInfo>> listener : listeners) {
            try {
                listener.accept(now);
            } catch (RuntimeException e) {
                LOG.warn("a directory listener failed", e);
            }
        }
    }

    @Override
    public void close() {
        channel.close();
        members.clear();
    }

    private final class Listener implements Receiver {

        @Override
        public void receive(Message message) {
            HostInfo info;
            try {
                info = HostJson.MAPPER.readValue(message.getArray(), message.getOffset(), message.getLength(), HostInfo.class);
            } catch (Exception e) {
                long now = System.nanoTime();
                if (now - lastMalformedWarning > 1_000_000_000L) { // at most one line a second: garbage can be a flood
                    lastMalformedWarning = now;
                    LOG.warn("ignored a malformed directory message from {}: {}", message.getSrc(), e.getMessage());
                }
                return;
            }
            View current = view;
            if (current != null && !current.containsMember(message.getSrc())) {
                return; // from a member already gone: it must not come back through a late message
            }
            HostInfo previous = members.get(message.getSrc());
            if (previous == null || info.seq() > previous.seq()) {
                members.put(message.getSrc(), info);
                if (!info.sameAs(previous)) {
                    changed();
                }
            }
        }

        @Override
        public void viewAccepted(View newView) {
            View old = view;
            view = newView;
            List<HostInfo> gone = new ArrayList<>();
            for (Address address : List.copyOf(members.keySet())) {
                if (!newView.containsMember(address)) {
                    HostInfo info = members.remove(address);
                    if (info != null) {
                        gone.add(info);
                    }
                }
            }
            boolean removed = !gone.isEmpty();
            boolean newcomers = old == null || newView.getMembers().stream().anyMatch(a -> !old.containsMember(a));
            LOG.info("flock view {}", newView);
            if (newcomers && self != null) {
                // Tell newcomers (and the other side of a healed partition) who we are, now.
                Thread.ofVirtual().start(() -> send(self));
            }
            if (removed) {
                changed();
            }
            gone.forEach(Directory.this::departed);
        }
    }
}
