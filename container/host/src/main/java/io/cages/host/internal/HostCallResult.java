package io.cages.host.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageException;
import io.cages.api.CallResult;
import io.cages.host.spi.Reply;

/** A callee's reply as the caller sees it: a fresh tree of plain values, bound with the caller's mapper. */
final class HostCallResult implements CallResult {

    private final Reply reply;
    private final String host;
    private final ObjectMapper callerMapper;

    HostCallResult(Reply reply, String host, ObjectMapper callerMapper) {
        this.reply = reply;
        this.host = host;
        this.callerMapper = callerMapper;
    }

    @Override
    public Object value() {
        return PlainValues.of(reply.value());
    }

    @Override
    public <T> T value(Class<T> type) throws CageException {
        if (reply.value() == null) {
            return null;
        }
        try {
            return callerMapper.treeToValue(reply.value(), type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw CageException.internal("the answer of version " + reply.version() + " on host '" + host + "' does not fit "
                    + type.getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    @Override
    public byte[] body() {
        return reply.body();
    }

    @Override
    public String contentType() {
        return reply.contentType();
    }

    @Override
    public String version() {
        return reply.version();
    }

    @Override
    public String host() {
        return host;
    }
}
