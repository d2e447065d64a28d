package io.cages.cagectl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses cagectl's command lines: {@code [global options] COMMAND [options] [PARAMETER]}, where global options
 * ({@code --admin}, {@code --timeout}, {@code --help}, {@code --version}) may also come after the command, an
 * option's value follows it ({@code --last 3}) or is joined to it ({@code --last=3}), and {@code --} ends the
 * options. Every mistake is a {@link UsageException} that says what was wrong.
 *
 * <p>cagectl's own parser rather than a library: picocli, which it used before, is Java 5 bytecode that no
 * class-data archive can hold, so it was loaded and verified anew at every run and cost ~200 ms of start-up.
 */
final class ArgumentParser {

    static final String HELP = "--help";
    static final String VERSION = "--version";

    private final List<OptionSpec> globalOptions;
    private final List<CommandSpec> commands;

    ArgumentParser(List<OptionSpec> globalOptions, List<CommandSpec> commands) {
        this.globalOptions = List.copyOf(globalOptions);
        this.commands = List.copyOf(commands);
    }

    Invocation parse(String... args) {
        CommandSpec command = null;
        Map<String, String> options = new LinkedHashMap<>();
        List<String> parameters = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!optionsEnded && arg.equals("--")) {
                optionsEnded = true;
            } else if (!optionsEnded && arg.startsWith("-") && arg.length() > 1) {
                int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
                String name = eq > 0 ? arg.substring(0, eq) : arg;
                OptionSpec option = option(command, name);
                String value;
                if (!option.takesValue()) {
                    if (eq > 0) {
                        throw usage(command, "option '" + name + "' takes no value, got '" + arg.substring(eq + 1) + "'");
                    }
                    value = "true";
                } else if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw usage(command, "'" + name + "' needs a value (" + option.valueLabel() + ")");
                }
                if (option.wholeNumber() && !isWholeNumber(value)) {
                    throw usage(command, "'" + name + "' needs a whole number, got '" + value + "'");
                }
                if (options.putIfAbsent(option.name(), value) != null && option.takesValue()) {
                    throw usage(command, "'" + name + "' given more than once");
                }
            } else if (command == null) {
                command = command(arg);
            } else {
                parameters.add(arg);
            }
        }
        boolean help = options.remove(HELP) != null;
        boolean version = options.remove(VERSION) != null;
        String parameter = parameter(command, parameters, help || version);
        return new Invocation(command, Map.copyOf(options), parameter, help, version);
    }

    /** The subcommand called {@code name}. */
    CommandSpec command(String name) {
        for (CommandSpec command : commands) {
            if (command.name().equals(name)) {
                return command;
            }
        }
        throw usage(null, "unknown command '" + name + "'; the commands are " + commandNames());
    }

    private OptionSpec option(CommandSpec command, String name) {
        if (command != null) {
            for (OptionSpec option : command.options()) {
                if (option.names().contains(name)) {
                    return option;
                }
            }
        }
        for (OptionSpec option : globalOptions) {
            if (option.names().contains(name)) {
                return option;
            }
        }
        throw usage(command, "unknown option '" + name + "' for '" + qualifiedName(command) + "'");
    }

    private static String parameter(CommandSpec command, List<String> parameters, boolean helpOrVersion) {
        if (command == null) {
            return null;   // no command, no parameters: every word before one is the command
        }
        if (command.parameterLabel() == null && !parameters.isEmpty()) {
            throw usage(command, "unexpected argument '" + parameters.getFirst() + "' for '"
                    + qualifiedName(command) + "', which takes none");
        }
        if (parameters.size() > 1) {
            throw usage(command, "'" + qualifiedName(command) + "' takes one " + command.parameterLabel()
                    + ", got " + parameters.size() + ": " + String.join(" ", parameters));
        }
        if (parameters.isEmpty() && command.parameterRequired() && !helpOrVersion) {
            throw usage(command, "'" + qualifiedName(command) + "' needs " + command.parameterLabel() + ": "
                    + command.parameterDescription());
        }
        return parameters.isEmpty() ? null : parameters.getFirst();
    }

    private String commandNames() {
        StringBuilder names = new StringBuilder();
        for (CommandSpec command : commands) {
            names.append(names.isEmpty() ? "" : ", ").append(command.name());
        }
        return names.toString();
    }

    private static boolean isWholeNumber(String value) {
        try {
            Integer.parseInt(value);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static String qualifiedName(CommandSpec command) {
        return command == null ? "cagectl" : "cagectl " + command.name();
    }

    static UsageException usage(CommandSpec command, String message) {
        return new UsageException(qualifiedName(command), message);
    }
}
