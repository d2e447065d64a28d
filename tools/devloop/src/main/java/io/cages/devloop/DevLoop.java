package io.cages.devloop;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Save to live: {@code cages dev [PATH] [--admin URL] [--once]}. Watches a cage project and on every save
 * compiles it (in this JVM, incrementally), makes the bundle (bndlib, in this JVM) and deploys it to a running
 * host through its admin API, then prints the outcome in one line. A compile error or a failed start or
 * self-test leaves the version that was serving in place.
 */
public final class DevLoop implements AutoCloseable {

    /** Where the admin API listens unless {@code --admin} or {@code CAGES_ADMIN} says otherwise (the host's default). */
    public static final String DEFAULT_ADMIN_URL = "http://127.0.0.1:8081";
    /** Editors write a save as several events (temp file, rename, attributes): wait for this much quiet. */
    static final long DEBOUNCE_MS = 60;

    static final String USAGE = """
            usage: cages dev [PATH] [--admin URL] [--once]
              PATH         the cage project (bnd.bnd, src/main/java); default: the current directory
              --admin URL  the host's admin API (default: $CAGES_ADMIN, else %s)
              --once       build and deploy one time, then exit (0 when the new version serves, 1 when not)
            """.formatted(DEFAULT_ADMIN_URL);

    /** What one build did. */
    enum Result { NOTHING_CHANGED, SERVING, FAILED }

    private final CageProject project;
    private final String cage;
    private final String release;
    private final IncrementalCompiler compiler;
    private final BundleMaker bundles;
    private final AdminDeployer deployer;
    private final PrintStream out;
    private final List<Path> classPath;
    private Map<Path, Long> otherInputs = Map.of();
    private String serving;
    private int builds;
    private volatile WatchService watcher;
    private Warmup warmup;

    DevLoop(CageProject project, List<Path> classPath, String adminUrl, PrintStream out) {
        this.project = project;
        this.classPath = List.copyOf(classPath);
        String name = project.header("Cage-Name");
        this.cage = name == null || name.isEmpty() ? project.root().getFileName().toString() : name;
        this.release = project.baseRelease();
        this.compiler = new IncrementalCompiler(project, classPath);
        this.bundles = new BundleMaker(project, classPath);
        this.deployer = new AdminDeployer(adminUrl);
        this.out = out;
        this.serving = deployer.activeVersion(cage);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv("CAGES_ADMIN"), System.out));
    }

    /** Runs the command line; returns the exit code (2 usage, 1 failed, 0 ok). Watches until interrupted unless --once. */
    static int run(String[] args, String adminFromEnv, PrintStream out) {
        String path = ".";
        String admin = adminFromEnv == null || adminFromEnv.isBlank() ? DEFAULT_ADMIN_URL : adminFromEnv.strip();
        boolean once = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--once" -> once = true;
                case "--admin" -> {
                    if (i + 1 == args.length) {
                        out.print("cages dev: --admin needs a URL\n" + USAGE);
                        return 2;
                    }
                    admin = args[++i];
                }
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("-") || !path.equals(".")) {
                        out.print("cages dev: unexpected argument '" + args[i] + "'\n" + USAGE);
                        return 2;
                    }
                    path = args[i];
                }
            }
        }
        try {
            CageProject project = CageProject.at(Path.of(path));
            ClassPaths.Resolved classPath = ClassPaths.of(project);
            try (DevLoop loop = new DevLoop(project, classPath.entries(), admin, out)) {
                if (once) {
                    return loop.build(true) == Result.SERVING ? 0 : 1;
                }
                out.println("cages dev: watching " + project.root() + " (cage " + loop.cage + ", class path from "
                        + classPath.origin() + ", admin " + loop.deployer.admin() + "); Ctrl-C stops");
                loop.watch(true);
                return 0;
            }
        } catch (DevLoopException e) {
            out.println("cages dev: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * Builds and deploys when a source, resource or bnd.bnd changed since the last build (or always when
     * {@code force}); prints the outcome. Never throws for a compile, bundle or deploy failure.
     */
    Result build(boolean force) {
        long started = System.nanoTime();
        if (warmup != null) {
            warmup.cancel(); // a save goes first
        }
        Map<Path, Long> others = otherInputs();
        if (!force && !compiler.stale() && others.equals(otherInputs)) {
            return Result.NOTHING_CHANGED;
        }
        try {
            IncrementalCompiler.Result compiled = compiler.compile();
            if (!compiled.ok()) {
                int n = compiled.errors().size();
                // One write: whoever reads the terminal (or a pipe) sees the summary with its errors, never half.
                StringBuilder report = new StringBuilder("cages dev: compile failed (" + n + (n == 1 ? " error" : " errors")
                        + "); " + stays());
                compiled.errors().forEach(e -> report.append(System.lineSeparator()).append("  ").append(e));
                out.println(report);
                return Result.FAILED;
            }
            otherInputs = others;
            String version = release + ".dev-" + (++builds);
            byte[] jar = bundles.make(version);
            keep(jar);
            long built = System.nanoTime();
            AdminDeployer.Outcome outcome = deployer.deploy(jar);
            long done = System.nanoTime();
            if (outcome.active()) {
                serving = outcome.version();
                out.println("cages dev: " + cage + " " + outcome.version() + " serving (build " + ms(started, built)
                        + " ms, " + compiled.compiled() + (compiled.compiled() == 1 ? " file" : " files")
                        + " compiled; swap " + ms(built, done) + " ms)");
                return Result.SERVING;
            }
            serving = outcome.previous();
            out.println("cages dev: " + cage + " " + version + " not deployed: " + outcome.reason() + "; " + stays());
            return Result.FAILED;
        } catch (DevLoopException e) {
            out.println("cages dev: " + e.getMessage() + "; " + stays());
            return Result.FAILED;
        }
    }

    /** The last bundle built, for a look inside ({@code target/cages-dev/<cage>.jar}); only the host needs the bytes. */
    private void keep(byte[] jar) {
        try {
            Files.write(lastBundle(), jar);
        } catch (IOException e) {
            out.println("cages dev: cannot keep a copy of the bundle in " + lastBundle() + ": " + e.getMessage());
        }
    }

    Path lastBundle() {
        return project.workDir().resolve(cage + ".jar");
    }

    private String stays() {
        return serving == null ? "no version of " + cage + " serving" : cage + " " + serving + " still serving";
    }

    /**
     * Waits for saves and builds after each burst of them, until interrupted or closed. Saves made while a
     * build runs stay queued in the watch service and make one next build. With {@code buildFirst}, builds
     * once as soon as the folders are watched (so no save made during that build is missed).
     */
    void watch(boolean buildFirst) throws InterruptedException {
        try (WatchService service = FileSystems.getDefault().newWatchService()) {
            watcher = service;
            register(service, project.root(), false);
            register(service, project.root().resolve("src"), false);
            register(service, project.root().resolve("src/main"), false);
            register(service, project.sources(), true);
            register(service, project.resources(), true);
            if (buildFirst) {
                build(true);
            }
            warmup = new Warmup(project, classPath, bundles);
            warmup.start();
            while (true) {
                drain(service, service.take());
                WatchKey more;
                while ((more = service.poll(DEBOUNCE_MS, TimeUnit.MILLISECONDS)) != null) {
                    drain(service, more);
                }
                build(false);
            }
        } catch (ClosedWatchServiceException e) {
            // closed: stop watching
        } catch (IOException e) {
            throw new DevLoopException("cannot watch " + project.root() + ": " + e.getMessage(), e);
        }
    }

    /** Consumes a key's events; a new folder under the sources or resources is watched from now on. */
    private void drain(WatchService service, WatchKey key) throws IOException {
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && event.context() instanceof Path name) {
                Path created = dir.resolve(name);
                if (Files.isDirectory(created) && (created.startsWith(project.sources()) || created.startsWith(project.resources())
                        || created.equals(project.root().resolve("src")) || created.equals(project.root().resolve("src/main")))) {
                    register(service, created, true);
                }
            }
        }
        key.reset();
    }

    private static void register(WatchService service, Path dir, boolean tree) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        if (!tree) {
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            return;
        }
        try (Stream<Path> dirs = Files.walk(dir)) {
            for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                d.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            }
        }
    }

    /** bnd.bnd and src/main/resources: inputs of the bundle that the compiler does not look at. */
    private Map<Path, Long> otherInputs() {
        Map<Path, Long> result = new HashMap<>();
        stamp(project.bndFile(), result);
        if (Files.isDirectory(project.resources())) {
            try (Stream<Path> walk = Files.walk(project.resources())) {
                walk.filter(Files::isRegularFile).forEach(f -> stamp(f, result));
            } catch (IOException | RuntimeException e) {
                result.put(project.resources(), -1L); // half-changed folder: build again, bnd will say what is wrong
            }
        }
        return result;
    }

    private static void stamp(Path file, Map<Path, Long> into) {
        try {
            into.put(file, Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file));
        } catch (IOException e) {
            // gone: not an input any more
        }
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /** Makes a running {@link #watch(boolean)} return (after the build it may be running). */
    void stop() {
        WatchService w = watcher;
        if (w != null) {
            try {
                w.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }

    /** Stops watching and releases the compiler; call it once no build runs any more. */
    @Override
    public void close() {
        stop();
        try {
            compiler.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }
}
