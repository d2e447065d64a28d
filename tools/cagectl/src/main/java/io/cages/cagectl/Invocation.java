package io.cages.cagectl;

import java.util.Map;

/**
 * A parsed command line: which subcommand (null when none was named), the options given (flags as "true"),
 * the positional parameter, and whether help or the version was asked for.
 */
record Invocation(CommandSpec command, Map<String, String> options, String parameter, boolean help,
                  boolean version) {

    boolean flag(String name) {
        return options.containsKey(name);
    }

    /** An option's value, or null when it was not given. */
    String value(String name) {
        return options.get(name);
    }

    /** A whole-number option's value (the parser checked it), or null when it was not given. */
    Integer number(String name) {
        String value = options.get(name);
        return value == null ? null : Integer.valueOf(value);
    }
}
