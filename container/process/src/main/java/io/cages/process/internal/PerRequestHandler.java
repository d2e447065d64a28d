package io.cages.process.internal;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mode {@code per-request} (Stack's): one process per request. The request envelope goes to its stdin (then
 * stdin is closed), the answer envelope is read from its stdout, stderr goes to the log. At most {@code pool}
 * processes run at once and {@code queue} requests wait; past that a request is refused at once. At the deadline
 * the process group gets SIGTERM, and SIGKILL after the termination timeout.
 *
 * <p>An operation listed in the manifest's {@code streams} answers with the process's stdout itself, streamed
 * as it is written ({@link StdoutStream}); its admission and process start happen when the stream runs.
 */
final class PerRequestHandler implements CageHandler {

    private final Manifest manifest;
    private final Path dir;
    private final Semaphore running;
    private final AtomicInteger admitted = new AtomicInteger();
    private final SelfTest selfTest;

    PerRequestHandler(Manifest manifest, Path dir) throws IOException {
        this.manifest = manifest;
        this.dir = dir;
        this.running = new Semaphore(manifest.pool(), true);
        this.selfTest = new SelfTest(manifest);
        OsProcess.installLibraries(dir);
    }

    @Override
    public void start(CageContext context) {
    }

    @Override
    public void selfTest() throws Exception {
        selfTest.run(this);
    }

    @Override
    public Response handle(Request request) throws Exception {
        String streamType = manifest.streams().get(request.operation());
        if (streamType != null) {
            // Nothing is taken until the host runs the stream: one it never runs (its client went away) holds nothing.
            return Response.stream(streamType, out -> withProcessSlot(request, () -> {
                new StdoutStream(manifest, dir, request).writeTo(out);
                return null;
            }));
        }
        return withProcessSlot(request, () -> run(request));
    }

    /** Runs {@code work} holding one of the {@code pool} process slots; waits in the queue of {@code queue} for one. */
    private <T> T withProcessSlot(Request request, java.util.concurrent.Callable<T> work) throws Exception {
        if (admitted.incrementAndGet() > manifest.pool() + manifest.queue()) {
            admitted.decrementAndGet();
            throw CageException.unavailable("cage '" + manifest.name() + "' " + manifest.version() + " runs " + manifest.pool()
                    + " processes and queues " + manifest.queue() + " requests; no room for another (retry later)");
        }
        try {
            if (!running.tryAcquire(Math.max(0, request.deadline().remainingNanos()), TimeUnit.NANOSECONDS)) {
                throw CageException.deadlineExceeded("cage '" + manifest.name() + "' operation '" + request.operation()
                        + "' waited for a free process past its deadline");
            }
            try {
                return work.call();
            } finally {
                running.release();
            }
        } finally {
            admitted.decrementAndGet();
        }
    }

    /** Starts the process, with its stderr going to the log and the request envelope going to its stdin. */
    static Process startFor(Manifest manifest, Path dir, Request request) throws CageException {
        Process process;
        try {
            process = OsProcess.start(manifest, dir);
        } catch (IOException e) {
            throw CageException.internal("cage '" + manifest.name() + "': cannot start " + manifest.command() + ": " + e.getMessage(), e);
        }
        StderrPump.start(process.getErrorStream(), who(manifest, process), request::id, manifest.maxStderrBytes());
        byte[] envelope;
        try {
            envelope = Envelopes.bytes(Envelopes.request(request));
        } catch (RuntimeException e) {
            OsProcess.terminateInBackground(process, 0);
            throw e;
        }
        Thread.ofVirtual().name("cage-stdin-" + process.pid()).start(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(envelope);
            } catch (IOException e) {
                // the program did not read its stdin (it may not need it)
            }
        });
        return process;
    }

    static String who(Manifest manifest, Process process) {
        return "cage '" + manifest.name() + "' " + manifest.version() + " process (pid " + process.pid() + ")";
    }

    private Response run(Request request) throws Exception {
        Process process = startFor(manifest, dir, request);
        String who = who(manifest, process);
        CompletableFuture<byte[]> stdout = readLimited(process, who);
        boolean finished = false;
        try {
            long remaining = request.deadline().remainingNanos();
            if (!process.waitFor(Math.max(0, remaining), TimeUnit.NANOSECONDS)) {
                throw CageException.deadlineExceeded(who + " did not answer '" + request.operation()
                        + "' within its deadline; it got SIGTERM (SIGKILL after " + manifest.terminationTimeoutMs() + " ms)");
            }
            finished = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CageException.deadlineExceeded(who + " did not answer '" + request.operation() + "' within its deadline");
        } finally {
            if (finished) {
                OsProcess.sweepInBackground(process);
            } else {
                OsProcess.terminateInBackground(process, manifest.terminationTimeoutMs());
            }
        }
        byte[] out;
        try {
            // The leader exited: stdout ends now unless a child it left holds it; the sweep kills that child.
            out = stdout.get(manifest.terminationTimeoutMs() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (CageException) e.getCause();
        } catch (TimeoutException e) {
            throw CageException.internal(who + " exited but its stdout stayed open (a child kept it)", null);
        }
        int status = process.exitValue();
        if (status != 0) {
            CageException reported = reportedError(out, who);
            if (reported != null) {
                throw reported; // a documented error envelope says more than the status
            }
            throw CageException.internal(who + " exited with " + OsProcess.describeExit(status) + " serving '"
                    + request.operation() + "' (its stderr is in the host log under request " + request.id() + ")", null);
        }
        if (out.length == 0) {
            throw CageException.internal(who + " exited with status 0 but wrote no answer to stdout", null);
        }
        return Envelopes.answer(out, who);
    }

    private static CageException reportedError(byte[] out, String who) {
        try {
            com.fasterxml.jackson.databind.JsonNode node = Envelopes.JSON.readTree(out);
            return node != null && node.hasNonNull("error") ? Envelopes.error(node.get("error"), who) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads stdout up to the limit; past it the process group is killed and the read fails with a clear error. */
    private CompletableFuture<byte[]> readLimited(Process process, String who) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        Thread.ofVirtual().name("cage-stdout-" + process.pid()).start(() -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try (InputStream out = process.getInputStream()) {
                for (int n; (n = out.read(buffer)) != -1; ) {
                    if (bytes.size() + n > manifest.maxStdoutBytes()) {
                        OsProcess.terminateInBackground(process, 0);
                        result.completeExceptionally(CageException.internal(who + " wrote more than its stdout limit of "
                                + manifest.maxStdoutBytes() + " bytes; it was killed", null));
                        return;
                    }
                    bytes.write(buffer, 0, n);
                }
                result.complete(bytes.toByteArray());
            } catch (IOException e) {
                result.complete(bytes.toByteArray());
            }
        });
        return result;
    }

    @Override
    public void stop() {
        ProcessCage.deleteQuietly(dir);
    }
}
