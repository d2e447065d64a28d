package io.cages.resbench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Alternating rounds of several systems and the report: the median round per system, and the median of the
 * per-round ratios against the baseline (each ratio pairs runs next to each other in time, which is steadier
 * than a ratio of medians on a small machine whose speed drifts).
 */
final class Rounds {

    /** Runs one round of one system and returns its rate (calls or messages per second) and latencies. */
    @FunctionalInterface
    interface Round {
        Load.Result run() throws Exception;
    }

    private final Map<String, Round> systems = new LinkedHashMap<>();
    private final Map<String, List<Load.Result>> results = new LinkedHashMap<>();

    Rounds add(String name, Round round) {
        systems.put(name, round);
        results.put(name, new ArrayList<>());
        return this;
    }

    /**
     * A table of results measured elsewhere (a second figure of the same rounds), in round order, each list
     * starting with its warm-up round, which is dropped.
     */
    static Rounds recorded(Map<String, List<Load.Result>> withWarmUp) {
        Rounds r = new Rounds();
        withWarmUp.forEach((name, list) -> {
            r.systems.put(name, () -> {
                throw new IllegalStateException("recorded only");
            });
            r.results.put(name, new ArrayList<>(list.subList(1, list.size())));
        });
        return r;
    }

    /** One warm-up round of each (discarded), then {@code rounds} rounds, the order rotating every round. */
    Rounds run(int rounds) throws Exception {
        List<String> names = new ArrayList<>(systems.keySet());
        for (String n : names) {
            systems.get(n).run();
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < names.size(); i++) {
                String n = names.get((r + i) % names.size());
                results.get(n).add(systems.get(n).run());
            }
        }
        return this;
    }

    Load.Result median(String name) {
        List<Load.Result> sorted = new ArrayList<>(results.get(name));
        sorted.sort(Comparator.comparingDouble(Load.Result::perSecond));
        return sorted.get(sorted.size() / 2);
    }

    /** Per-round throughput ratios {@code name / baseline}, in round order. */
    List<Double> ratios(String name, String baseline) {
        return ratios(name, baseline, r -> r.perSecond());
    }

    /**
     * Per-round CPU efficiency ratios: {@code baseline}'s CPU per call over {@code name}'s (above 1 = {@code name}
     * needs less CPU per call), in round order.
     */
    List<Double> cpuRatios(String name, String baseline) {
        return ratios(name, baseline, r -> 1 / r.cpuUsPerCall());
    }

    private List<Double> ratios(String name, String baseline, java.util.function.ToDoubleFunction<Load.Result> figure) {
        List<Double> out = new ArrayList<>();
        List<Load.Result> a = results.get(name);
        List<Load.Result> b = results.get(baseline);
        for (int i = 0; i < a.size(); i++) {
            out.add(figure.applyAsDouble(a.get(i)) / figure.applyAsDouble(b.get(i)));
        }
        return out;
    }

    /** The median round by CPU per call. */
    double medianCpu(String name) {
        return medianOf(results.get(name).stream().map(Load.Result::cpuUsPerCall).toList());
    }

    static double medianOf(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
    }

    long errors(String name) {
        return results.get(name).stream().mapToLong(Load.Result::errors).sum();
    }

    String firstError(String name) {
        return results.get(name).stream().map(Load.Result::firstError).filter(e -> e != null).findFirst().orElse(null);
    }

    /** Prints the table; every system is compared with {@code baseline}. */
    void print(String title, String unit, String baseline) {
        System.out.println();
        System.out.println(title);
        System.out.printf("  %-34s %12s %9s %9s %8s %14s %11s %10s%n", "system", unit, "p50 ms", "p99 ms", "errors", "vs " + baseline,
                "CPU us/call", "CPU vs");
        for (String n : systems.keySet()) {
            Load.Result m = median(n);
            String vs = n.equals(baseline) ? "1.00x" : String.format("%.2fx", medianOf(ratios(n, baseline)));
            String cpuVs = n.equals(baseline) ? "1.00x" : String.format("%.2fx", medianOf(cpuRatios(n, baseline)));
            System.out.printf("  %-34s %12.0f %9.3f %9.3f %8d %14s %11.1f %10s%n", n, m.perSecond(), m.p50Ms(), m.p99Ms(), errors(n), vs,
                    medianCpu(n), cpuVs);
        }
        for (String n : systems.keySet()) {
            if (!n.equals(baseline)) {
                System.out.printf("  per-round ratios %s / %s: rate %s, CPU efficiency %s%n", n, baseline,
                        ratios(n, baseline).stream().map(r -> String.format("%.2f", r)).toList(),
                        cpuRatios(n, baseline).stream().map(r -> String.format("%.2f", r)).toList());
            }
            String e = firstError(n);
            if (e != null) {
                System.out.printf("  first error of %s: %s%n", n, e);
            }
        }
    }
}
