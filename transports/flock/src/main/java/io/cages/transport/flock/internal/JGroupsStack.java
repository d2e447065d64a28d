package io.cages.transport.flock.internal;

import io.cages.transport.flock.FlockSettings;
import java.util.stream.Collectors;

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
 */
final class JGroupsStack {

    private JGroupsStack() {
    }

    static String xml(FlockSettings s) {
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
                  <pbcast.NAKACK2 xmit_interval="200"/>
                  <UNICAST3 xmit_interval="200"/>
                  <pbcast.STABLE desired_avg_gossip="5000" max_bytes="1M"/>
                  <pbcast.GMS print_local_addr="false" join_timeout="1000"/>
                  <UFC/>
                  <MFC/>
                  <FRAG4 frag_size="60000"/>
                </config>
                """.formatted(transport, discovery, timeout, Math.max(100, timeout / 5), Math.max(100, timeout / 5));
    }

    private static String attr(String value) {
        return value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }
}
