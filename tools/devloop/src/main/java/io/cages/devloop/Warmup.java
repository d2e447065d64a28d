package io.cages.devloop;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs javac and bnd a few times on a scratch copy of the output right after the first deploy, so the JIT has
 * compiled them before the first save: a cold compile takes several times as long as a warm one. It runs on
 * a background thread with its own compiler (javac's file manager is not shared between threads) and starts
 * no new round once a real build has started, so a save waits at most for the round under way to share the CPU.
 */
final class Warmup implements Runnable {

    static final int ROUNDS = 4;

    private final CageProject project;
    private final List<Path> classPath;
    private final BundleMaker bundles;
    private volatile boolean cancelled;

    Warmup(CageProject project, List<Path> classPath, BundleMaker bundles) {
        this.project = project;
        this.classPath = List.copyOf(classPath);
        this.bundles = bundles;
    }

    void start() {
        Thread thread = new Thread(this, "cages-dev-warmup");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    void cancel() {
        cancelled = true;
    }

    @Override
    public void run() {
        Path scratch = project.workDir().resolve("warmup-classes");
        try (IncrementalCompiler compiler = new IncrementalCompiler(project, classPath, scratch)) {
            for (int i = 0; i < ROUNDS && !cancelled; i++) {
                compiler.forget();
                if (compiler.compile().ok() && !cancelled) {
                    bundles.make("0.0.0.warmup", scratch);
                }
            }
        } catch (Exception e) {
            // only a warm-up: the real builds report their own problems
        } finally {
            try {
                IncrementalCompiler.clean(scratch);
            } catch (RuntimeException e) {
                // a scratch folder left behind under target/ is harmless
            }
        }
    }
}
