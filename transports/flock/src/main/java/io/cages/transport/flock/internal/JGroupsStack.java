package io.cages.transport.flock.internal;

import io.cages.transport.flock.FlockCredentials;
import io.cages.transport.flock.FlockSettings;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.jgroups.JChannel;
import org.jgroups.conf.XmlConfigurator;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.SSL_KEY_EXCHANGE;
import org.jgroups.stack.Configurator;
import org.jgroups.stack.Protocol;

/**
 * The JGroups protocol stack for a flock, as XML (JGroups' own configuration language, whose property names
 * are stabler across releases than its setters).
 *
 * <p>Failure detection is tuned for "a host that dies or is cut off leaves the directory within 3 s":
 * FD_SOCK2 notices a killed process at once (its sockets close); FD_ALL3 notices silence (a pulled cable)
 * after {@code failureTimeoutMs} (checked every fifth of it), and VERIFY_SUSPECT2 confirms in another fifth;
 * with the default 1.2 s that is at most about 1.7 s before the view changes (1.5 s measured 2.4-2.6 s for a
 * cut-off host over TCP: too close to 3 s). The price: a host frozen longer than that by a GC pause is
 * suspected, and rejoins when it wakes. MERGE3 looks for split flocks
 * every 1-3 s, so a healed partition merges back within seconds.
 *
 * <p>With {@link FlockCredentials} the stack is protected ({@link #secureChannel}): AUTH, right under GMS, admits a
 * JOIN or MERGE request only with a {@link FlockJoinToken} (a chain from the flock CA naming this flock, signed
 * over the joiner's address), and the joiner checks the coordinator's answer the same way; ASYM_ENCRYPT, under
 * NAKACK2, encrypts every message's payload (the directory) with a group key (AES/CBC, 256 bits) that
 * SSL_KEY_EXCHANGE hands out over mutual TLS 1.3 from the coordinator, to flock certificates only; a new key
 * whenever a member leaves. What stays readable on the wire: discovery, failure detection and JGroups' own
 * headers (addresses, sequence numbers), none of which says what a host runs or where its RPC listener is.
 */
final class JGroupsStack {

    private JGroupsStack() {
    }

    static String xml(FlockSettings s) {
        return xml(s, false);
    }

    /** A channel for the flock: the protected stack when {@code credentials} are given, else the open one. */
    static JChannel channel(FlockSettings s, FlockCredentials credentials) throws Exception {
        if (credentials == null) {
            return new JChannel(new ByteArrayInputStream(xml(s).getBytes(StandardCharsets.UTF_8)));
        }
        return secureChannel(s, FlockTrust.of(s.name(), credentials));
    }

    /** A channel for the flock: the protected stack with {@code trust} (later updatable), else (null) the open one. */
    static JChannel channel(FlockSettings s, FlockTrust trust) throws Exception {
        return trust == null ? channel(s, (FlockCredentials) null) : secureChannel(s, trust);
    }

    /**
     * The protected stack. Built from the XML but handed its key material as objects (an SSL context, the token),
     * which XML cannot carry, before the protocols are initialised.
     */
    static JChannel secureChannel(FlockSettings s, FlockTrust trust) throws Exception {
        List<Protocol> protocols = Configurator.createProtocolsAndInitializeAttrs(
                XmlConfigurator.getInstance(new ByteArrayInputStream(xml(s, true).getBytes(StandardCharsets.UTF_8))).getProtocolStack(), null);
        for (int i = 0; i < protocols.size(); i++) {
            if (protocols.get(i) instanceof SSL_KEY_EXCHANGE keys) {
                keys.setClientSSLContext(trust.sslContext()).setServerSSLContext(trust.sslContext())
                        .setSessionVerifier(new FlockSessionVerifier(trust));
            } else if (protocols.get(i) instanceof AUTH) {
                protocols.set(i, new FlockAuth(trust));
            }
        }
        return new JChannel(protocols);
    }

    private static String xml(FlockSettings s, boolean secure) {
        long timeout = s.failureTimeoutMs();
        String bind = s.bind() == null ? "" : " bind_addr=\"" + attr(s.bind()) + "\"";
        String transport;
        String discovery;
        if (s.discovery().equals("static")) {
            transport = "<TCP" + bind + " bind_port=\"" + s.port() + "\" port_range=\"0\"/>";
            String hosts = s.hosts().stream().map(h -> {
                int colon = h.lastIndexOf(':');
                return attr(h.substring(0, colon)) + "[" + h.substring(colon + 1) + "]";
            }).collect(Collectors.joining(","));
            discovery = "<TCPPING initial_hosts=\"" + hosts + "\" port_range=\"0\"/>";
        } else {
            transport = "<UDP" + bind + " mcast_addr=\"" + attr(s.multicastAddress()) + "\" mcast_port=\"" + s.multicastPort()
                    + "\" ip_ttl=\"2\"/>";
            discovery = "<PING/>";
        }
        return """
                <config xmlns="urn:org:jgroups">
                  %s
                  %s
                  <MERGE3 min_interval="1000" max_interval="3000"/>
                  <FD_SOCK2/>
                  <FD_ALL3 timeout="%d" interval="%d"/>
                  <VERIFY_SUSPECT2 timeout="%d"/>
                  %s<pbcast.NAKACK2 xmit_interval="200"/>
                  <UNICAST3 xmit_interval="200"/>
                  <pbcast.STABLE desired_avg_gossip="5000" max_bytes="1M"/>
                  %s<pbcast.GMS print_local_addr="false" join_timeout="1000"/>
                  <UFC/>
                  <MFC/>
                  <FRAG4 frag_size="60000"/>
                </config>
                """.formatted(transport, discovery, timeout, Math.max(100, timeout / 5), Math.max(100, timeout / 5),
                secure ? encryption(s) : "", secure ? "<AUTH/>\n  " : "");
    }

    private static String encryption(FlockSettings s) {
        // port_range 0: members look for the key server on exactly this port of the coordinator's address.
        return "<SSL_KEY_EXCHANGE port=\"" + s.keyExchangePort() + "\" port_range=\"0\" require_client_authentication=\"true\""
                + " socket_timeout=\"2000\"/>\n  "
                + "<ASYM_ENCRYPT use_external_key_exchange=\"true\" change_key_on_leave=\"true\" change_key_on_coord_leave=\"true\""
                + " sym_algorithm=\"AES/CBC/PKCS5Padding\" sym_iv_length=\"16\" sym_keylength=\"256\"/>\n  ";
    }

    private static String attr(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }
}
