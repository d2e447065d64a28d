package io.cages.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The CPU time a process's threads have used, from Linux's {@code /proc/<pid>/task/<tid>/schedstat} (nanoseconds
 * on a CPU, first field), split into its JIT compiler threads and all the others. A thread that ended between two
 * readings takes its time with it, which for a host under steady load is a handful of short-lived threads at most.
 */
record ThreadCpu(long jitNanos, long servingNanos) {

    static ThreadCpu of(long pid) throws IOException {
        long jit = 0;
        long serving = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String name;
                long nanos;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    nanos = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                } catch (NoSuchFileException ended) {
                    continue; // the thread ended while the directory was read
                }
                if (isJitCompiler(name)) {
                    jit += nanos;
                } else {
                    serving += nanos;
                }
            }
        }
        return new ThreadCpu(jit, serving);
    }

    /** HotSpot names them "C2 CompilerThread0", "C1 CompilerThread0" (cut to 15 characters by the kernel). */
    static boolean isJitCompiler(String threadName) {
        return threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre");
    }
}
