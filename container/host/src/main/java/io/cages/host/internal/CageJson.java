package io.cages.host.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Jackson mappers for the host. */
public final class Json {

    /**
     * For host-owned types and plain trees only. Never give it cage classes: its caches would pin the cage's
     * class loader after the cage is swapped out. Cage classes go through {@link #newCageMapper()}.
     */
    public static final ObjectMapper HOST = JsonMapper.builder()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .findAndAddModules()
            .build();

    private Json() {
    }

    /** A mapper owned by one cage version, dropped with it. Lenient about unknown parameters. */
    public static ObjectMapper newCageMapper() {
        // Shared buffer pool: handlers run on short-lived virtual threads, where thread-local pools never reuse.
        return JsonMapper.builder(JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedLockFreePool()).build())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }
}
