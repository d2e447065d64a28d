package io.cages.process.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a cage's command as the leader of a process group of its own ({@code setsid}), under {@code prlimit}
 * limits when the manifest asks for them, and kills the whole group: a worker's children die with it, so a
 * process cage leaves no orphans. cgroups are not used (this host has cgroup v1 only and no delegation; cgroup v2
 * would add a memory limit for the whole group, where {@code prlimit --as} limits each process).
 */
final class OsProcess {

    private static final Logger LOG = LoggerFactory.getLogger(OsProcess.class);
    static final boolean SETSID = onPath("setsid");
    static final boolean PRLIMIT = onPath("prlimit");
    /** The worker libraries (Python, Node.js), unpacked into every version's folder and put on the paths. */
    private static final List<String> LIBRARIES = List.of("cages_worker.py", "cages_worker.js");
    static final String LIBRARY_DIR = ".cages-lib";

    static {
        if (!SETSID) {
            LOG.warn("setsid is not on the PATH: process cages run in the host's process group, and a worker's children may outlive it");
        }
    }

    private OsProcess() {
    }

    /** The argv the host runs: {@code setsid [prlimit --as=.. --cpu=.. --] command...}. */
    static List<String> argv(Manifest manifest) {
        List<String> argv = new ArrayList<>();
        if (SETSID) {
            argv.add("setsid");
        }
        if (PRLIMIT && (manifest.memoryMb() > 0 || manifest.cpuSeconds() > 0)) {
            argv.add("prlimit");
            if (manifest.memoryMb() > 0) {
                argv.add("--as=" + manifest.memoryMb() * 1024 * 1024);
            }
            if (manifest.cpuSeconds() > 0) {
                argv.add("--cpu=" + manifest.cpuSeconds());
            }
            argv.add("--");
        }
        argv.addAll(manifest.command());
        return argv;
    }

    static Process start(Manifest manifest, Path dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv(manifest)).directory(dir.toFile());
        var env = builder.environment();
        env.putAll(manifest.env());
        env.put("CAGE_NAME", manifest.name());
        env.put("CAGE_VERSION", manifest.version());
        env.put("PYTHONUNBUFFERED", "1");
        String lib = dir.resolve(LIBRARY_DIR).toString();
        env.merge("PYTHONPATH", lib, (old, add) -> add + File.pathSeparator + old);
        env.merge("NODE_PATH", lib, (old, add) -> add + File.pathSeparator + old);
        return builder.start();
    }

    /** Puts the worker libraries into the version's folder, so a cage need not ship its own copy. */
    static void installLibraries(Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve(LIBRARY_DIR));
        for (String name : LIBRARIES) {
            try (InputStream in = OsProcess.class.getResourceAsStream("/io/cages/process/workers/" + name)) {
                if (in != null) {
                    Files.copy(in, lib.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Sends {@code signal} (TERM, KILL) to the process group led by {@code pid}. Without setsid the group is the
     * host's own, so only the process itself is signalled.
     */
    static void signalGroup(long pid, String signal) {
        if (!SETSID) {
            ProcessHandle.of(pid).ifPresent(p -> {
                if ("KILL".equals(signal)) {
                    p.destroyForcibly();
                } else {
                    p.destroy();
                }
            });
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pid)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            LOG.warn("kill -{} -{} failed: {}", signal, pid, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends a process and its group: SIGTERM, then SIGKILL once {@code terminationMs} passed (or at once when the
     * leader exited earlier, to sweep any child it left). Blocks up to {@code terminationMs}: call it off the
     * request's path (on a virtual thread of its own).
     */
    static void terminate(Process process, long terminationMs) {
        signalGroup(process.pid(), "TERM");
        try {
            process.waitFor(terminationMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        signalGroup(process.pid(), "KILL");
    }

    /** Runs {@link #terminate} on a virtual thread of its own. */
    static void terminateInBackground(Process process, long terminationMs) {
        Thread.ofVirtual().name("cage-terminate-" + process.pid()).start(() -> terminate(process, terminationMs));
    }

    /** Kills what the leader left in its group after it exited (a background child). */
    static void sweepInBackground(Process process) {
        if (SETSID) {
            Thread.ofVirtual().name("cage-sweep-" + process.pid()).start(() -> signalGroup(process.pid(), "KILL"));
        }
    }

    /** How a process ended, for messages: "exit status 3" or "killed by signal 9". */
    static String describeExit(int status) {
        return status > 128 ? "exit status " + status + " (signal " + (status - 128) + ")" : "exit status " + status;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
