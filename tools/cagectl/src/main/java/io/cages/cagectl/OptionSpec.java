package io.cages.cagectl;

/**
 * One option of a command line: {@code --json} (a flag) or {@code --last N} (takes a value, also written
 * {@code --last=N}).
 *
 * @param names       the spellings, long one last ({@code -h}, {@code --help})
 * @param valueLabel  what the value is called in help ({@code N}, {@code URL}), null for a flag
 * @param wholeNumber whether the value must be a whole number (checked while parsing)
 * @param description one line of help
 */
record OptionSpec(java.util.List<String> names, String valueLabel, boolean wholeNumber, String description) {

    static OptionSpec flag(String description, String... names) {
        return new OptionSpec(java.util.List.of(names), null, false, description);
    }

    static OptionSpec text(String name, String valueLabel, String description) {
        return new OptionSpec(java.util.List.of(name), valueLabel, false, description);
    }

    static OptionSpec wholeNumber(String name, String valueLabel, String description) {
        return new OptionSpec(java.util.List.of(name), valueLabel, true, description);
    }

    /** The name results are kept under: the last (long) spelling. */
    String name() {
        return names.getLast();
    }

    boolean takesValue() {
        return valueLabel != null;
    }
}
