package io.cages.transport.http.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;

/**
 * The transport's one Jackson mapper. It only ever sees host-side types (reply trees, parameter maps of plain
 * JDK values, admin records), never cage classes, so sharing it cannot pin a cage's class loader; and an
 * ObjectMapper is thread-safe once configured, so the hot path never builds one.
 */
final class HttpJson {

    /**
     * {@link Instant} is written as its ISO-8601 {@code toString()} through a one-line serializer rather than
     * the jsr310 module, which the host's class path does not promise to carry.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    // Replies are encoded on the request's virtual thread, which lives for one request: the
                    // default thread-local buffer pool would allocate fresh buffers every time.
                    .recyclerPool(JsonRecyclerPools.sharedLockFreePool())
                    .build())
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(new SimpleModule("cages-http").addSerializer(Instant.class, ToStringSerializer.instance))
            .build();

    private HttpJson() {
    }
}
