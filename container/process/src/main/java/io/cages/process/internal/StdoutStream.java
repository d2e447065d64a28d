package io.cages.process.internal;

import io.cages.api.BodyWriter;
import io.cages.api.CageException;
import io.cages.api.Request;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A streamed operation of a per-request process cage: the process's stdout is the body, passed on as it is
 * written, with no envelope and no stdout limit. Its pace is the client's: a full transport blocks the pump,
 * the pipe fills and the program blocks on its own writes.
 *
 * <p>The deadline still holds: a watchdog gives the process group SIGTERM at the deadline and SIGKILL after the
 * termination timeout (the host fails the stream at the same moment). A client that goes away makes the next
 * write fail, and the process group gets the same treatment. A non-zero exit fails the stream: before any byte
 * went out the caller gets an {@code internal} error naming the exit status, after that the response is cut.
 */
final class StdoutStream implements BodyWriter {

    private static final int PUMP_BYTES = 64 * 1024;

    private final Manifest manifest;
    private final Path dir;
    private final Request request;
    private volatile boolean deadlinePassed;

    StdoutStream(Manifest manifest, Path dir, Request request) {
        this.manifest = manifest;
        this.dir = dir;
        this.request = request;
    }

    @Override
    public void writeTo(OutputStream out) throws Exception {
        Process process = PerRequestHandler.startFor(manifest, dir, request);
        String who = PerRequestHandler.who(manifest, process);
        Thread watchdog = Thread.ofVirtual().name("cage-deadline-" + process.pid()).start(() -> {
            try {
                if (!process.waitFor(Math.max(0, request.deadline().remainingNanos()), TimeUnit.NANOSECONDS)) {
                    deadlinePassed = true;
                    OsProcess.terminate(process, manifest.terminationTimeoutMs());
                }
            } catch (InterruptedException e) {
                // the stream ended first
            }
        });
        long sent = 0;
        boolean exited = false;
        try {
            try (InputStream stdout = process.getInputStream()) {
                byte[] buffer = new byte[PUMP_BYTES];
                for (int n; (n = stdout.read(buffer)) != -1; ) {
                    out.write(buffer, 0, n);
                    out.flush(); // what the program wrote goes out now, not when the host's buffer fills
                    sent += n;
                }
            }
            // stdout closed: the program ended (or closed it); a child that kept it open is swept below.
            exited = process.waitFor(manifest.terminationTimeoutMs() + 1000, TimeUnit.MILLISECONDS);
        } finally {
            watchdog.interrupt();
            if (exited) {
                OsProcess.sweepInBackground(process);
            } else {
                OsProcess.terminateInBackground(process, manifest.terminationTimeoutMs());
            }
        }
        if (deadlinePassed) {
            throw CageException.deadlineExceeded(who + " did not finish streaming '" + request.operation() + "' within its deadline"
                    + " (after " + sent + " bytes); it got SIGTERM (SIGKILL after " + manifest.terminationTimeoutMs() + " ms)");
        }
        if (!exited) {
            throw CageException.internal(who + " closed its stdout streaming '" + request.operation() + "' but did not exit", null);
        }
        int status = process.exitValue();
        if (status != 0) {
            throw CageException.internal(who + " exited with " + OsProcess.describeExit(status) + " streaming '" + request.operation()
                    + "' after " + sent + " bytes (its stderr is in the host log under request " + request.id() + ")", null);
        }
    }
}
