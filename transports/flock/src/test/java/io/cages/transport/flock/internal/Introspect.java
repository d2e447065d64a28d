package io.cages.transport.flock.internal;

import io.cages.transport.flock.FlockCredentials;
import io.cages.transport.flock.FlockSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.protocols.ASYM_ENCRYPT;
import org.jgroups.protocols.TP;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;

/** Test access to the flock's internals that no public API should expose. */
public final class Introspect {

    private Introspect() {
    }

    /**
     * Joins the flock as a member that publishes one fixed entry, {@code cage} at {@code version} on an RPC
     * listener at 127.0.0.1:{@code rpcPort}, and never updates it: a host as its callers see it, without a host.
     */
    public static AutoCloseable joinAs(FlockSettings settings, String name, int rpcPort, String cage, String version,
                                       List<String> idempotent) throws Exception {
        HostInfo info = new HostInfo(name, settings.name(), "127.0.0.1", rpcPort,
                List.of(new HostInfo.CageEntry(cage, version, idempotent)), 0, 0, 1, null);
        return Directory.join(settings, info);
    }

    /** The JGroups stack the flock's members build from {@code settings}. */
    public static String jgroupsXml(FlockSettings settings) {
        return JGroupsStack.xml(settings);
    }

    /** Joins as {@link #joinAs} does, over the protected stack when {@code credentials} are given. */
    public static Member join(FlockSettings settings, FlockCredentials credentials, String name) throws Exception {
        HostInfo info = new HostInfo(name, settings.name(), "127.0.0.1", 1, List.of(), 0, 0, 1, null);
        return new Member(Directory.join(settings, credentials, info));
    }

    /** A member of a flock as the flock's tests look at it. */
    public static final class Member implements AutoCloseable {

        private final Directory directory;

        Member(Directory directory) {
            this.directory = directory;
        }

        /** The names of the other hosts this member's directory lists. */
        public List<String> listed() {
            return directory.others().stream().map(HostInfo::name).sorted().toList();
        }

        /** Publishes this member's entry again, now running {@code cage} (version 1.0.0). */
        public void publishRunning(String cage) {
            HostInfo self = directory.self();
            directory.publish(new HostInfo(self.name(), self.flock(), self.rpcHost(), self.rpcPort(),
                    List.of(new HostInfo.CageEntry(cage, "1.0.0", List.of())), 0, 0, self.seq() + 1, null));
        }

        /** The cages the other host {@code name} runs as this member's directory lists them. */
        public List<String> cagesOf(String name) {
            return directory.others().stream().filter(h -> h.name().equals(name)).flatMap(h -> h.cages().stream())
                    .map(HostInfo.CageEntry::name).toList();
        }

        /** The number of members of its JGroups view, itself included. */
        public int viewSize() {
            return directory.channel().getView().size();
        }

        /**
         * Records the payload of every message that crosses this member's stack {@code where}: "wire" just above the
         * transport (what the network carries), "plain" just above the encryption (what the directory sends).
         */
        public Sniffer sniff(String where) throws Exception {
            Sniffer sniffer = new Sniffer();
            ProtocolStack stack = directory.channel().getProtocolStack();
            if (where.equals("wire")) {
                stack.insertProtocol(sniffer, ProtocolStack.Position.ABOVE, TP.class);
            } else {
                stack.insertProtocol(sniffer, ProtocolStack.Position.ABOVE, ASYM_ENCRYPT.class);
            }
            return sniffer;
        }

        @Override
        public void close() {
            directory.close();
        }
    }

    /** A protocol that passes everything on, keeping a copy of each message's payload (as ISO-8859-1 text). */
    public static final class Sniffer extends Protocol {

        private final List<String> payloads = new CopyOnWriteArrayList<>();

        public List<String> payloads() {
            return payloads;
        }

        @Override
        public Object down(Message msg) {
            record(msg);
            return down_prot.down(msg);
        }

        @Override
        public Object up(Message msg) {
            record(msg);
            return up_prot.up(msg);
        }

        @Override
        public void up(MessageBatch batch) {
            for (Message msg : batch) {
                record(msg);
            }
            up_prot.up(batch);
        }

        private void record(Message msg) {
            if (msg.hasArray() && msg.getLength() > 0) {
                payloads.add(new String(msg.getArray(), msg.getOffset(), msg.getLength(), StandardCharsets.ISO_8859_1));
            }
        }
    }
}
