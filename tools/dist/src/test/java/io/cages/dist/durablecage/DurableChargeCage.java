package io.cages.dist.durablecage;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.CageException;
import io.cages.api.DurableCall;
import io.cages.api.Request;
import io.cages.api.Response;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;

/**
 * Test cage for the durable-call fault test, deployed as {@code front} on the caller hosts and as {@code ledger}
 * on the target hosts. Caller side: {@code accept?key=&expiryMs=} stores a durable {@code ledger.charge} under
 * the key and answers once it is stored. Target side: {@code charge} inserts the call's key into table
 * {@code effects} of database {@code main}, which joins the durable call's transaction (the table has no unique
 * key, so a key executed twice shows as two rows).
 */
public final class DurableChargeCage implements CageHandler {

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "accept" -> {
                String key = request.param("key");
                String expiryMs = request.param("expiryMs");
                Duration expiry = expiryMs == null ? null : Duration.ofMillis(Long.parseLong(expiryMs));
                DurableCall call = context.cage("ledger").callDurably("charge", Map.of("key", key), key, expiry);
                yield Response.of(Map.of("callId", call.id(), "key", key));
            }
            case "charge" -> {
                String key = request.attributes().get("durable.key");
                if (key == null) {
                    throw CageException.badRequest("charge is for durable calls only");
                }
                context.database("main").use(c -> {
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO effects (call_key) VALUES (?)")) {
                        s.setString(1, key);
                        return s.executeUpdate();
                    }
                });
                yield Response.of(Map.of("charged", key));
            }
            default -> throw CageException.notFound("no operation " + request.operation());
        };
    }
}
