package io.cages.host.internal;

import io.cages.api.CageConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageContext;
import io.cages.api.CageRef;
import io.cages.api.CageException;
import io.cages.api.Database;
import io.cages.api.DurableCall;
import io.cages.api.MessageQueue;
import io.cages.api.Transaction;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** The context of one cage version. Closing it ends its config subscription. */
final class HostCageContext implements CageContext, AutoCloseable {

    private final String cage;
    private final String version;
    private final CageConfigs configs;
    private final System.Logger logger;
    private final ConfigSubscriptions subscriptions = new ConfigSubscriptions();
    private final CageCalls calls;
    private final HostResources resources;
    private final ObjectMapper mapper = CageJson.newMapper();

    HostCageContext(String cage, String version, CageConfigs configs, CageCalls calls, HostResources resources) {
        this.cage = cage;
        this.resources = resources;
        this.version = version;
        this.configs = configs;
        this.calls = calls;
        this.logger = System.getLogger("cage." + cage);
    }

    /** This version's Jackson mapper: it may cache the cage's classes, so it lives and dies with the version. */
    ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public CageRef cage(String name) {
        return calls.ref(this, name);
    }

    @Override
    public Database database(String name) {
        CurrentRequest.refuseIfNonBlocking("use database '" + name + "'");
        return resources.database(name);
    }

    @Override
    public MessageQueue queue(String name) {
        CurrentRequest.refuseIfNonBlocking("use queue '" + name + "'");
        return resources.queue(name);
    }

    @Override
    public Transaction transaction() {
        CurrentRequest.refuseIfNonBlocking("open a transaction");
        return resources.transaction();
    }

    @Override
    public DurableCall durableCall(String id) throws CageException {
        CurrentRequest.refuseIfNonBlocking("look up a durable call");
        return resources.durableCall(id);
    }

    /** Stores a durable call from this cage; the parameters are copied to a plain tree first, as for any call. */
    @SuppressWarnings("unchecked")
    DurableCall callDurably(String target, String operation, Map<String, ?> params, String key, Duration expiry) throws CageException {
        Map<String, Object> copied;
        try {
            copied = params == null || params.isEmpty() ? Map.of() : mapper.convertValue(params, Map.class);
        } catch (IllegalArgumentException e) {
            throw CageException.badRequest("parameters for durable call of cage '" + target + "' operation '" + operation
                    + "' cannot be copied: " + e.getMessage());
        }
        return resources.callDurably(cage, target, operation, copied, key, expiry);
    }

    @Override
    public String cageName() {
        return cage;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public CageConfig config() {
        return configs.configOf(cage);
    }

    @Override
    public void onConfigChange(Consumer<CageConfig> listener) {
        configs.subscribe(cage, subscriptions.add(listener));
    }

    @Override
    public System.Logger logger() {
        return logger;
    }

    @Override
    public void close() {
        for (Consumer<CageConfig> listener : subscriptions.closeAll()) {
            configs.unsubscribe(cage, listener);
        }
    }
}
