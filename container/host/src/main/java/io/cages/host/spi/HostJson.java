package io.cages.host.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;

/**
 * The host's one mapper for JSON text of host-side values: configuration files, admin records, parameter
 * maps and reply trees on JSON transports (HTTP bodies, JMS text messages), resource status, the flock's
 * membership messages. An ObjectMapper is thread-safe once configured, so every module shares this one.
 *
 * <p>Never give it cage classes: its caches would pin a cage's class loader after the cage is swapped out.
 * A cage's own values go through the mapper of the cage version that produced them ({@link Reply}). Settings
 * files are read by {@link Settings}; the RPC wire format (Smile) has its own mapper in its module.
 */
public final class HostJson {

    /**
     * {@link Instant} (admin records) is written as its ISO-8601 {@code toString()} through a one-line
     * serializer rather than the jsr310 module, which the host's class path does not promise to carry.
     * A shared buffer pool: JSON is written on the request's virtual thread, which lives for one request, so
     * Jackson's default thread-local pool would allocate fresh buffers every time.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .build())
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(new SimpleModule("cages-host").addSerializer(Instant.class, ToStringSerializer.instance))
            .build();

    private HostJson() {
    }
}
