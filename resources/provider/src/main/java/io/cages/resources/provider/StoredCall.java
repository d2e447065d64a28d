package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.DurableCall;
import java.time.Instant;

/** A durable call as read from (or just written to) its outbox row. */
record StoredCall(String id, String key, String cage, String operation, Status status, Object value, CageException error,
                  int attempts, Instant expiresAt) implements DurableCall {

    static StoredCall pending(String id, String key, String cage, String operation, Instant expiresAt) {
        return new StoredCall(id, key, cage, operation, Status.PENDING, null, null, 0, expiresAt);
    }
}
