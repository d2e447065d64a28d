package io.cages.host.internal;

import io.cages.api.CageConfig;
import io.cages.api.CageContext;
import java.util.function.Consumer;

/** The context of one cage version. Closing it ends its config subscription. */
final class HostCageContext implements CageContext, AutoCloseable {

    private final String cage;
    private final String version;
    private final CageConfigs configs;
    private final System.Logger logger;
    private final ConfigSubscriptions subscriptions = new ConfigSubscriptions();

    HostCageContext(String cage, String version, CageConfigs configs) {
        this.cage = cage;
        this.version = version;
        this.configs = configs;
        this.logger = System.getLogger("cage." + cage);
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
