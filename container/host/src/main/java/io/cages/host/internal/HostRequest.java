package io.cages.host.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.Request;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.InboundRequest;
import java.util.Collections;
import java.util.Map;

/** The {@link Request} a handler sees: an inbound request with its effective deadline. */
final class HostRequest implements Request {

    private final InboundRequest in;
    private final Deadline deadline;
    private final CageRevision revision;
    private final boolean nonBlocking;

    HostRequest(InboundRequest in, Deadline deadline, CageRevision revision, boolean nonBlocking) {
        this.in = in;
        this.deadline = deadline;
        this.revision = revision;
        this.nonBlocking = nonBlocking;
    }

    /** The version serving this request (its state writes are vouched for while it drains). */
    String revisionVersion() {
        return revision.version();
    }

    /** True when the handler runs on the thread that dispatched it, where it must not block. */
    boolean nonBlocking() {
        return nonBlocking;
    }

    @Override
    public String id() {
        return in.id();
    }

    @Override
    public String cage() {
        return in.cage();
    }

    @Override
    public String operation() {
        return in.operation();
    }

    @Override
    public Map<String, Object> params() {
        return Collections.unmodifiableMap(in.params());
    }

    @Override
    public <T> T params(Class<T> type) throws CageException {
        try {
            return revision.mapper().convertValue(in.params(), type);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw CageException.badRequest("parameters do not fit " + type.getSimpleName() + ": " + message);
        }
    }

    @Override
    public String param(String name) {
        Object value = in.params().get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        try {
            return HostJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    @Override
    public byte[] body() {
        return in.body();
    }

    @Override
    public String contentType() {
        return in.contentType();
    }

    @Override
    public Map<String, String> attributes() {
        return Collections.unmodifiableMap(in.attributes());
    }

    @Override
    public String caller() {
        return in.caller();
    }

    @Override
    public Deadline deadline() {
        return deadline;
    }

    @Override
    public String toString() {
        return "request " + in.id() + " " + in.cage() + "/" + in.operation();
    }
}
