package io.cages.host.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageConfig;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.spi.CageFileFolder;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.JsonSyntax;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cage config files ({@code <cage>.json} in the cage config folder), reloaded when they change.
 *
 * <p>A file that is not a JSON object is rejected with its name and the reason; the cage keeps the config it
 * had. A deleted file means an empty config. Listeners run on the scanning thread, one change at a time.
 */
final class CageConfigs {

    private static final Logger LOG = LoggerFactory.getLogger(CageConfigs.class);

    private final Map<String, HostCageConfig> current = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<CageConfig>>> listeners = new ConcurrentHashMap<>();
    private final CageFileFolder folder;

    public CageConfigs(Path dir) {
        this.folder = new CageFileFolder(dir, "config file", "the previous config stays in force", new CageFileFolder.Listener() {
            @Override
            public void changed(String cage, Path file, byte[] content) {
                CageConfigs.this.changed(cage, file, content);
            }

            @Override
            public void deleted(String cage, Path file) {
                CageConfigs.this.deleted(cage, file);
            }
        });
    }

    public CageConfig configOf(String cage) {
        return current.getOrDefault(cage, HostCageConfig.EMPTY);
    }

    void subscribe(String cage, Consumer<CageConfig> listener) {
        listeners.computeIfAbsent(cage, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    void unsubscribe(String cage, Consumer<CageConfig> listener) {
        List<Consumer<CageConfig>> list = listeners.get(cage);
        if (list != null) {
            list.remove(listener);
        }
    }

    public List<ConfigProblem> problems() {
        return folder.problems();
    }

    /** Reads changed files and applies them. Safe to call from any thread; calls are serialized. */
    public void scan() {
        folder.scan();
    }

    private void changed(String cage, Path file, byte[] bytes) {
        HostCageConfig config = parse(bytes);
        HostCageConfig old = current.put(cage, config);
        if (!config.equals(old == null ? HostCageConfig.EMPTY : old)) {
            LOG.info("config of cage {} loaded from {}", cage, file);
            notifyListeners(cage, config);
        }
    }

    private void deleted(String cage, Path file) {
        if (current.remove(cage) != null) {
            LOG.info("config file {} deleted: cage {} now has an empty config", file, cage);
            notifyListeners(cage, HostCageConfig.EMPTY);
        }
    }

    @SuppressWarnings("unchecked")
    static HostCageConfig parse(byte[] bytes) {
        JsonNode tree;
        try {
            tree = HostJson.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(JsonSyntax.describe(e));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot parse: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("a cage config must be a JSON object, found " + (tree == null ? "nothing" : tree.getNodeType().toString().toLowerCase()));
        }
        return new HostCageConfig(HostJson.MAPPER.convertValue(tree, Map.class));
    }

    private void notifyListeners(String cage, CageConfig config) {
        for (Consumer<CageConfig> listener : listeners.getOrDefault(cage, List.of())) {
            try {
                listener.accept(config);
            } catch (RuntimeException e) {
                LOG.warn("config listener of cage {} failed", cage, e);
            }
        }
    }
}
