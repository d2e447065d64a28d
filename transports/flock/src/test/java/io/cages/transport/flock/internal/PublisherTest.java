package io.cages.transport.flock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The admin URL a host publishes: its listener's bound address, but the flock address for a wildcard bind. */
class PublisherTest {

    @Test
    void aListenerBoundToOneAddressIsPublishedAtThatAddress() {
        assertEquals("http://10.0.0.7:8081", Publisher.adminUrl(new InetSocketAddress("10.0.0.7", 8081), "10.0.0.5"));
        assertEquals("http://127.0.0.1:9001", Publisher.adminUrl(new InetSocketAddress("127.0.0.1", 9001), "10.0.0.5"));
    }

    @Test
    void aWildcardBindIsPublishedAtTheAddressPeersReachTheHostOn() {
        assertEquals("http://10.0.0.5:8081", Publisher.adminUrl(new InetSocketAddress("0.0.0.0", 8081), "10.0.0.5"));
        assertEquals("http://10.0.0.5:8081", Publisher.adminUrl(new InetSocketAddress("::", 8081), "10.0.0.5"));
    }

    @Test
    void anIpv6AddressIsBracketed() {
        assertEquals("http://[fd00:0:0:0:0:0:0:7]:8081", Publisher.adminUrl(new InetSocketAddress("fd00::7", 8081), "10.0.0.5"));
    }

    @Test
    void noListenerPublishesNoUrl() {
        assertNull(Publisher.adminUrl(null, "10.0.0.5"));
    }
}
