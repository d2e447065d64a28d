package io.cages.cagectl;

import java.util.ArrayList;
import java.util.List;

/** The {@code --help} texts: cagectl's overview and each command's usage, wrapped to 100 columns. */
final class HelpText {

    private static final int WIDTH = 100;

    private HelpText() {
    }

    /** {@code cagectl --help}. */
    static String overview(String description, List<OptionSpec> globalOptions, List<CommandSpec> commands,
                           List<String> footer) {
        StringBuilder text = new StringBuilder();
        text.append("Usage: cagectl [OPTIONS] COMMAND [ARGS]\n");
        wrap(text, "", description);
        text.append("\nCommands:\n");
        List<String[]> rows = new ArrayList<>();
        for (CommandSpec command : commands) {
            rows.add(new String[]{command.name(), command.description()});
        }
        table(text, rows);
        text.append("\nOptions (before or after the command):\n");
        table(text, optionRows(globalOptions));
        text.append("\nRun 'cagectl COMMAND --help' for a command's options.\n");
        for (String line : footer) {
            text.append(line).append('\n');
        }
        return text.toString();
    }

    /** {@code cagectl COMMAND --help}. */
    static String of(CommandSpec command, List<OptionSpec> globalOptions) {
        StringBuilder text = new StringBuilder("Usage: cagectl ").append(command.name()).append(" [OPTIONS]");
        if (command.parameterLabel() != null) {
            text.append(command.parameterRequired() ? " " + command.parameterLabel() : " [" + command.parameterLabel() + "]");
        }
        text.append('\n');
        wrap(text, "", command.description());
        if (command.parameterLabel() != null) {
            text.append('\n');
            table(text, List.<String[]>of(new String[]{command.parameterLabel(), command.parameterDescription()}));
        }
        text.append("\nOptions:\n");
        List<OptionSpec> options = new ArrayList<>(command.options());
        options.addAll(globalOptions);
        table(text, optionRows(options));
        return text.toString();
    }

    private static List<String[]> optionRows(List<OptionSpec> options) {
        List<String[]> rows = new ArrayList<>();
        for (OptionSpec option : options) {
            String names = String.join(", ", option.names());
            if (option.names().size() == 1) {
                names = "    " + names;   // line long names up under "-h, --help"
            }
            rows.add(new String[]{option.takesValue() ? names + " " + option.valueLabel() : names, option.description()});
        }
        return rows;
    }

    /** Two columns: names indented by two, descriptions lined up and wrapped. */
    private static void table(StringBuilder text, List<String[]> rows) {
        int width = 0;
        for (String[] row : rows) {
            width = Math.max(width, row[0].length());
        }
        String indent = " ".repeat(2 + width + 2);
        for (String[] row : rows) {
            StringBuilder first = new StringBuilder("  ").append(row[0]);
            first.append(" ".repeat(indent.length() - first.length()));
            wrap(text, first.toString(), indent, row[1]);
        }
    }

    private static void wrap(StringBuilder text, String indent, String words) {
        wrap(text, indent, indent, words);
    }

    /** {@code words} on lines of at most {@link #WIDTH} columns, the first after {@code first}. */
    static void wrap(StringBuilder text, String first, String indent, String words) {
        StringBuilder line = new StringBuilder(first);
        int empty = first.length();
        for (String word : words.split(" ")) {
            if (line.length() > empty && line.length() + 1 + word.length() > WIDTH) {
                text.append(line.toString().stripTrailing()).append('\n');
                line.setLength(0);
                line.append(indent);
                empty = indent.length();
            }
            if (line.length() > empty) {
                line.append(' ');
            }
            line.append(word);
        }
        text.append(line.toString().stripTrailing()).append('\n');
    }
}
