package io.cages.host.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one JSON object of settings strictly; every module reads its settings files and sections with it.
 *
 * <ul>
 *   <li>Unknown keys are errors listing the known ones, so a typo never silently falls back to a default.</li>
 *   <li>Every value has a type, a default and, where the caller needs one, a range.</li>
 *   <li>{@code ${env:NAME}} anywhere in a string is replaced by the environment variable; a number or a flag
 *       may be given as such a string too ({@code "maxPoolSize": "${env:POOL_SIZE}"}).</li>
 *   <li>An error ({@link SettingsException}) names the file when known, the key path
 *       ({@code transports.jms.bindings[0].queue}) and the reason. It never shows a secret: a value that came
 *       from the environment is never echoed, nor a free-text string (a password is one); a wrong number,
 *       flag or choice written in the file is.</li>
 * </ul>
 *
 * <p>A JSON {@code null} is the same as a missing key.
 */
public final class Settings {

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern WHOLE = Pattern.compile("[-+]?\\d+");

    private final JsonNode node;
    private final String source;
    private final String path;
    private final Function<String, String> env;

    private Settings(JsonNode node, String source, String path, Function<String, String> env, Set<String> keys) {
        this.source = source;
        this.path = path;
        this.env = env;
        if (node == null || node.isNull()) {
            node = JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw error(path.isEmpty() ? "settings must be a JSON object" : path + " must be a JSON object");
        }
        this.node = node;
        if (keys != null) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!keys.contains(key)) {
                    throw problem(key, "unknown key (known: " + new TreeSet<>(keys) + ")");
                }
            }
        }
    }

    /**
     * Reads {@code node} (null: an empty object, so every key takes its default).
     *
     * @param path where the object sits in its file, the prefix of every key in errors, e.g.
     *             {@code transports.flock}; empty at the top
     * @param env  resolves {@code ${env:NAME}} ({@code System::getenv} outside tests)
     * @param keys the keys the object may have
     * @throws SettingsException if it is not an object or has a key not in {@code keys}
     */
    public static Settings of(JsonNode node, String path, Function<String, String> env, Set<String> keys) {
        return new Settings(node, null, path, env, keys);
    }

    /**
     * Reads the object in {@code file}; every error names the file.
     *
     * @throws SettingsException if the file cannot be read, is not JSON, not an object or has an unknown key
     */
    public static Settings read(Path file, Function<String, String> env, Set<String> keys) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SettingsException(file.toString(), "cannot read: " + e, e);
        }
        try {
            return new Settings(parse(bytes), file.toString(), "", env, keys);
        } catch (SettingsException e) {
            throw e.in(file);
        }
    }

    /**
     * Parses a settings file's bytes.
     *
     * @throws SettingsException saying where the JSON is broken and what was expected there ({@link JsonSyntax}),
     *                           without quoting what is written there
     */
    public static JsonNode parse(byte[] json) {
        try {
            JsonNode tree = HostJson.MAPPER.readTree(json);
            if (tree == null || tree.isMissingNode()) {
                throw new SettingsException(null, "is empty: settings must be a JSON object", null);
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw new SettingsException(null, JsonSyntax.describe(e), null);
        } catch (IOException e) {
            throw new SettingsException(null, "cannot read: " + e, e);
        }
    }

    /** True if the key is given (and not null). */
    public boolean has(String key) {
        return value(key) != null;
    }

    /** The keys of this object in file order: the names, for an object read with {@link #map}. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A string; errors never show it, so passwords are read with this too. */
    public String string(String key, String fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw invalid(key, "must be a string", null);
        }
        return resolve(key, v.asText());
    }

    /** One of {@code allowed}, exactly. */
    public String choice(String key, String fallback, String... allowed) {
        String value = string(key, fallback);
        if (value != null && !List.of(allowed).contains(value)) {
            throw invalid(key, "must be " + alternatives(allowed), value(key));
        }
        return value;
    }

    /** {@code true} or {@code false}. */
    public boolean flag(String key, boolean fallback) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        String text = v.isTextual() ? resolve(key, v.asText()).trim() : "";
        if (text.equals("true") || text.equals("false")) {
            return text.equals("true");
        }
        throw invalid(key, "must be true or false", v);
    }

    /** A whole number in {@code min..max} ({@code Integer.MAX_VALUE}: no upper bound but the type's). */
    public int integer(String key, int fallback, int min, int max) {
        return (int) longValue(key, fallback, min, max);
    }

    /** A whole number in {@code min..max} ({@code Long.MAX_VALUE}: no upper bound). */
    public long longValue(String key, long fallback, long min, long max) {
        JsonNode v = value(key);
        if (v == null) {
            return fallback;
        }
        String text = v.isIntegralNumber() ? v.asText() : v.isTextual() ? resolve(key, v.asText()).trim() : "";
        if (!WHOLE.matcher(text).matches()) {
            throw invalid(key, "must be a whole number", v);
        }
        BigInteger n = new BigInteger(text);
        boolean above = n.compareTo(BigInteger.valueOf(max)) > 0;
        if (above || n.compareTo(BigInteger.valueOf(min)) < 0) {
            throw invalid(key, range(above, min, max), v);
        }
        return n.longValueExact();
    }

    /** Like {@link #integer}, but null when the key is missing: for a setting that inherits its value. */
    public Integer optionalInteger(String key, int min, int max) {
        return has(key) ? integer(key, 0, min, max) : null;
    }

    /** Like {@link #longValue}, but null when the key is missing: for a setting that inherits its value. */
    public Long optionalLong(String key, long min, long max) {
        return has(key) ? longValue(key, 0, min, max) : null;
    }

    /** A TCP or UDP port: 0..65535. */
    public int port(String key, int fallback) {
        return integer(key, fallback, 0, 65_535);
    }

    /** A port, or -1 for none (a listener that is not opened). */
    public int portOrNone(String key, int fallback) {
        int port = integer(key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (port < -1 || port > 65_535) {
            throw invalid(key, "must be 0..65535, or -1 for none");
        }
        return port;
    }

    /** A list of strings, each with {@code ${env:NAME}} resolved; empty if the key is missing. */
    public List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        JsonNode list = array(key);
        for (int i = 0; i < list.size(); i++) {
            String element = key + "[" + i + "]";
            if (!list.get(i).isTextual()) {
                throw invalid(element, "must be a string", null);
            }
            out.add(resolve(element, list.get(i).asText()));
        }
        return out;
    }

    /** The object at {@code key} with the keys it may have; an empty one if the key is missing. */
    public Settings object(String key, Set<String> keys) {
        return new Settings(value(key), source, path(key), env, keys);
    }

    /** The object at {@code key} whose keys are names (of cages, resources, ...) the caller checks; see {@link #names}. */
    public Settings map(String key) {
        return new Settings(value(key), source, path(key), env, null);
    }

    /** The objects listed at {@code key}, each with the keys it may have; empty if the key is missing. */
    public List<Settings> objects(String key, Set<String> keys) {
        List<Settings> out = new ArrayList<>();
        JsonNode list = array(key);
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).isNull()) {
                throw invalid(key + "[" + i + "]", "must be a JSON object", null);
            }
            out.add(new Settings(list.get(i), source, path(key) + "[" + i + "]", env, keys));
        }
        return out;
    }

    /** The value at {@code key} as written, for a section another module reads with its own reader. */
    public JsonNode raw(String key) {
        return value(key);
    }

    /**
     * An error for a rule the caller checks itself, e.g. {@code invalid("rpcIdleTimeoutMs", "must be at least
     * 2000 (twice the RPC heartbeat)")}: the key path and the rule, and the value when it is a number or a flag
     * written in the file (never a string: it may be a password; never a value from the environment).
     */
    public SettingsException invalid(String key, String rule) {
        JsonNode v = value(key);
        return invalid(key, rule, v != null && (v.isNumber() || v.isBoolean() || ENV.matcher(v.asText()).find()) ? v : null);
    }

    /** An error about {@code key} that is not a rule on its value: {@code "<path>: <reason>"}. */
    public SettingsException problem(String key, String reason) {
        return error(path(key) + ": " + reason);
    }

    private SettingsException invalid(String key, String rule, JsonNode shown) {
        return error(path(key) + " " + rule + (shown == null || shown.isContainerNode() ? "" : ", was " + shown(shown)));
    }

    private SettingsException error(String problem) {
        return new SettingsException(source, problem, null);
    }

    /** The value as written; a reference to the environment stands for it, the value itself is never shown. */
    private static String shown(JsonNode v) {
        return v.isTextual() && ENV.matcher(v.asText()).find() ? v + " (value not shown)" : v.toString();
    }

    private JsonNode value(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private JsonNode array(String key) {
        JsonNode v = value(key);
        if (v == null) {
            return JsonNodeFactory.instance.arrayNode();
        }
        if (!v.isArray()) {
            throw invalid(key, "must be a JSON array", null);
        }
        return v;
    }

    private String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private String resolve(String key, String text) {
        Matcher m = ENV.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.apply(m.group(1));
            if (value == null) {
                throw problem(key, "environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String range(boolean above, long min, long max) {
        boolean open = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
        if (!open) {
            return "must be " + min + ".." + max;
        }
        if (above) {
            return "must be at most " + max;
        }
        return min == 1 ? "must be positive" : min == 0 ? "must be 0 or more" : "must be at least " + min;
    }

    private static String alternatives(String... allowed) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < allowed.length; i++) {
            out.append(i == 0 ? "" : i == allowed.length - 1 ? " or " : ", ").append('"').append(allowed[i]).append('"');
        }
        return out.toString();
    }
}
