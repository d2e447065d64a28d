package io.cages.cagectl;

import java.util.List;

/**
 * What one subcommand accepts and does: its own options (besides the global ones), at most one positional
 * parameter, and the code that runs it.
 *
 * @param name                 the subcommand's name ({@code list})
 * @param description          what it does, for help
 * @param options              its own options
 * @param parameterLabel       its positional parameter ({@code JAR}), null when it takes none
 * @param parameterDescription help for the parameter
 * @param parameterRequired    whether the parameter must be given
 * @param action               what it does
 */
record CommandSpec(String name, String description, List<OptionSpec> options, String parameterLabel,
                   String parameterDescription, boolean parameterRequired, Action action) {

    /** Runs a parsed command line and returns the exit code; may throw {@link CageCtlException}. */
    @FunctionalInterface
    interface Action {
        int run(CageCtl ctl, Invocation invocation);
    }

    static CommandSpec withoutParameter(String name, String description, List<OptionSpec> options, Action action) {
        return new CommandSpec(name, description, options, null, null, false, action);
    }

    static CommandSpec withParameter(String name, String description, String parameterLabel,
                                     String parameterDescription, boolean required, Action action) {
        return new CommandSpec(name, description, List.of(), parameterLabel, parameterDescription, required, action);
    }
}
