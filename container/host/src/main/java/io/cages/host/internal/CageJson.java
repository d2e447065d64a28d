package io.cages.host.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Mappers for cage classes: one per cage version, dropped with it, so its caches never pin an old version's
 * class loader. Host-side values go through {@link io.cages.host.spi.HostJson#MAPPER} instead.
 */
final class CageJson {

    private CageJson() {
    }

    /** A mapper owned by one cage version. Lenient about unknown parameters. */
    static ObjectMapper newMapper() {
        // Shared buffer pool: handlers run on short-lived virtual threads, where thread-local pools never reuse.
        return JsonMapper.builder(JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }
}
