package io.cages.host.testing;

/** Reads samples out of a scrape in the Prometheus text format, for tests that assert exact values. */
public final class PrometheusSamples {

    private PrometheusSamples() {
    }

    /** The sum of the samples of {@code name} whose labels include every one of {@code labels} ({@code key="value"}). */
    public static long sum(String text, String name, String... labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String labelPart = line.substring(name.length(), line.lastIndexOf('}') + 1);
            boolean all = true;
            for (String label : labels) {
                all &= labelPart.contains("{" + label + ",") || labelPart.contains("," + label + ",")
                        || labelPart.contains("," + label + "}") || labelPart.contains("{" + label + "}");
            }
            if (all) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Math.round(total);
    }

    /** Whether the scrape has a sample of {@code name} at all. */
    public static boolean has(String text, String name) {
        return text.contains("\n" + name + "{") || text.startsWith(name + "{");
    }
}
