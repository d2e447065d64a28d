package io.cages.resources.provider;

import java.util.regex.Pattern;

/**
 * Keys of durable calls: what a caller may pass, and how a call made while handling a durable call combines
 * its key with the parent's ({@code parent/child}), so a retried parent repeats none of its children's effects.
 */
final class DurableKeys {

    static final int MAX_KEY = 200;
    /** What the dedupe table's column holds: a nested key grows by one key and a '/' per level. */
    static final int MAX_NESTED_KEY = 1000;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_.:@-]+");

    private DurableKeys() {
    }

    /**
     * The key to store for {@code key} given by a caller, under {@code parent} (the key of the durable call
     * being handled on this thread, or null).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static String effective(String parent, String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a durable call needs a key (1 to " + MAX_KEY + " characters): it is what the target executes once");
        }
        if (key.length() > MAX_KEY) {
            throw new IllegalArgumentException("durable call key '" + key.substring(0, 40) + "...' is " + key.length()
                    + " characters long; at most " + MAX_KEY);
        }
        if (!ALLOWED.matcher(key).matches()) {
            char bad = key.chars().filter(c -> !ALLOWED.matcher(String.valueOf((char) c)).matches()).mapToObj(c -> (char) c)
                    .findFirst().orElse('?');
            throw new IllegalArgumentException("durable call key '" + key + "' has the character '" + bad
                    + "'; keys use letters, digits and - _ . : @ ('/' joins a nested call's key to its parent's)");
        }
        if (parent == null) {
            return key;
        }
        String nested = parent + "/" + key;
        if (nested.length() > MAX_NESTED_KEY) {
            throw new IllegalArgumentException("durable call key '" + key + "' under parent key '" + parent + "' makes a key of "
                    + nested.length() + " characters; nested keys are at most " + MAX_NESTED_KEY);
        }
        return nested;
    }
}
