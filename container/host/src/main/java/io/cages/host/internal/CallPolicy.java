package io.cages.host.internal;

import io.cages.host.spi.Settings;
import io.cages.host.spi.SettingsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A flock policy, compiled: which callers may call which cages and operations. Immutable, so a reload swaps
 * one reference and a request checked against the old policy is never half-way into the new one.
 *
 * <p>A request is forbidden if a {@code deny} rule matches it, else allowed if an {@code allow} rule matches,
 * else the policy's {@code default} decides. A rule's {@code caller}, {@code cage} and each of its
 * {@code operations} are patterns where {@code *} stands for any run of characters. Callers come in two kinds,
 * and a pattern only ever matches its own kind: a cage (its name, no {@code :}) or a caller from outside the
 * flock's cages, {@code <kind>:<detail>} ({@code http:127.0.0.1:50312}, {@code jms:billing.charges},
 * {@code job:nightly}, {@code folder:inbox}, {@code rpc:10.0.0.7:41234}). So {@code "*"} is any cage, never an
 * HTTP client; {@code "http:*"} is any HTTP client; {@code "*:*"} anything from outside.
 */
final class CallPolicy {

    /** No policy file: everything allowed, as before policies existed. */
    static final CallPolicy ALLOW_ALL = new CallPolicy(true, List.of(), List.of());

    private static final Set<String> KEYS = Set.of("default", "allow", "deny");
    private static final Set<String> RULE_KEYS = Set.of("caller", "cage", "operations");

    private final boolean allowByDefault;
    private final List<Rule> allow;
    private final List<Rule> deny;

    private CallPolicy(boolean allowByDefault, List<Rule> allow, List<Rule> deny) {
        this.allowByDefault = allowByDefault;
        this.allow = allow;
        this.deny = deny;
    }

    /** True if {@code caller} (a cage name, or {@code kind:detail} for a caller from outside) may call {@code cage.operation}. */
    boolean allows(String caller, String cage, String operation) {
        if (this == ALLOW_ALL) {
            return true;
        }
        boolean outside = caller.indexOf(':') >= 0;
        for (Rule r : deny) {
            if (r.matches(caller, outside, cage, operation)) {
                return false;
            }
        }
        for (Rule r : allow) {
            if (r.matches(caller, outside, cage, operation)) {
                return true;
            }
        }
        return allowByDefault;
    }

    boolean allowsEverything() {
        return this == ALLOW_ALL;
    }

    /**
     * Reads a policy file's bytes.
     *
     * @throws SettingsException naming the line and column of broken JSON, or the field ({@code allow[1].cage})
     *                           and what is wrong with it; without the file (the caller adds it)
     */
    static CallPolicy parse(byte[] json, Function<String, String> env) {
        Settings s = Settings.of(Settings.parse(json), "", env, KEYS);
        String def = s.choice("default", null, "allow", "deny");
        if (def == null) {
            throw s.problem("default", "is required: \"allow\" (what no rule names is allowed) or \"deny\" (what no rule names is forbidden)");
        }
        return new CallPolicy(def.equals("allow"), rules(s, "allow"), rules(s, "deny"));
    }

    private static List<Rule> rules(Settings s, String key) {
        List<Rule> rules = new ArrayList<>();
        List<Settings> listed = s.objects(key, RULE_KEYS);
        for (int i = 0; i < listed.size(); i++) {
            Settings r = listed.get(i);
            String caller = required(r, "caller");
            String cage = required(r, "cage");
            if (!cage.matches("[a-z0-9*-]+")) {
                throw r.problem("cage", "must be a cage name (lower-case letters, digits, '-') where '*' stands for any characters");
            }
            List<String> operations = r.has("operations") ? r.strings("operations") : List.of("*");
            if (operations.isEmpty()) {
                throw r.problem("operations", "is empty: list at least one operation, or leave the key out for all of them (\"*\")");
            }
            for (int j = 0; j < operations.size(); j++) {
                if (operations.get(j).isBlank()) {
                    throw r.problem("operations[" + j + "]", "must not be empty");
                }
            }
            rules.add(new Rule(caller, caller.indexOf(':') >= 0, cage, List.copyOf(operations)));
        }
        return List.copyOf(rules);
    }

    private static String required(Settings r, String key) {
        String v = r.string(key, null);
        if (v == null || v.isBlank()) {
            throw r.problem(key, "is required");
        }
        return v;
    }

    private record Rule(String caller, boolean outsideCaller, String cage, List<String> operations) {

        boolean matches(String who, boolean outside, String cageName, String operation) {
            if (outside != outsideCaller || !Glob.matches(cage, cageName) || !Glob.matches(caller, who)) {
                return false;
            }
            for (String op : operations) {
                if (Glob.matches(op, operation)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code *} matches any run of characters (none included); every other character only itself. */
    static final class Glob {

        private Glob() {
        }

        static boolean matches(String pattern, String text) {
            if (pattern.length() == 1 && pattern.charAt(0) == '*') {
                return true;
            }
            int p = 0;
            int t = 0;
            int star = -1;
            int resume = 0;
            while (t < text.length()) {
                if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
                    p++;
                    t++;
                } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                    star = p++;
                    resume = t;
                } else if (star >= 0) {
                    p = star + 1;
                    t = ++resume;
                } else {
                    return false;
                }
            }
            while (p < pattern.length() && pattern.charAt(p) == '*') {
                p++;
            }
            return p == pattern.length();
        }
    }
}
