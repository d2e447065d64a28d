package io.cages.host.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageConfig;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.HostConfig;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.JsonSyntax;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    private final Path dir;
    private final Map<String, HostCageConfig> current = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<CageConfig>>> listeners = new ConcurrentHashMap<>();
    private final Map<String, ConfigProblem> problems = new ConcurrentHashMap<>();
    // CONCURRENCY: only touched by scan(), which is synchronized.
    private final Map<Path, byte[]> lastSeen = new HashMap<>();

    public CageConfigs(Path dir) {
        this.dir = dir;
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
        return List.copyOf(problems.values());
    }

    /** Reads changed files and applies them. Safe to call from any thread; calls are serialized. */
    public synchronized void scan() {
        Set<Path> present = new HashSet<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path file : files) {
                    present.add(file);
                    check(file);
                }
            } catch (IOException e) {
                LOG.warn("cannot list cage config folder {}: {}", dir, e.toString());
                return;
            }
        }
        for (Path gone : new ArrayList<>(lastSeen.keySet())) {
            if (!present.contains(gone)) {
                lastSeen.remove(gone);
                problems.remove(gone.toString());
                String cage = cageOf(gone);
                if (cage != null && current.remove(cage) != null) {
                    LOG.info("config file {} deleted: cage {} now has an empty config", gone, cage);
                    notifyListeners(cage, HostCageConfig.EMPTY);
                }
            }
        }
    }

    private void check(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            reject(file, "cannot read: " + e.getMessage());
            return;
        }
        byte[] previous = lastSeen.put(file, bytes);
        if (previous != null && Arrays.equals(previous, bytes)) {
            return;
        }
        String cage = cageOf(file);
        if (cage == null) {
            reject(file, "the file name must be <cage>.json with a valid cage name");
            return;
        }
        HostCageConfig config;
        try {
            config = parse(bytes);
        } catch (IllegalArgumentException e) {
            reject(file, e.getMessage());
            return;
        }
        problems.remove(file.toString());
        HostCageConfig old = current.put(cage, config);
        if (!config.equals(old == null ? HostCageConfig.EMPTY : old)) {
            LOG.info("config of cage {} loaded from {}", cage, file);
            notifyListeners(cage, config);
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

    private void reject(Path file, String reason) {
        ConfigProblem problem = new ConfigProblem(file.toString(), reason, Instant.now());
        ConfigProblem previous = problems.put(file.toString(), problem);
        if (previous == null || !previous.reason().equals(reason)) {
            LOG.error("config file {} rejected: {}; the previous config stays in force", file, reason);
        }
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

    private static String cageOf(Path file) {
        String name = file.getFileName().toString();
        String cage = name.substring(0, name.length() - ".json".length());
        return HostConfig.isValidCageName(cage) ? cage : null;
    }
}
