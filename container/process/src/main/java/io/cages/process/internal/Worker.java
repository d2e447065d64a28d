package io.cages.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One warm worker process of a pool cage and its end of the framed protocol: frames are a 4-byte big-endian
 * length and that many bytes of UTF-8 JSON with a {@code type}. The host sends {@code request} and
 * {@code heartbeat}; the worker sends {@code ready} once, then {@code answer} or {@code error} per request (with its
 * {@code id}) and {@code heartbeat} back for each heartbeat. Closing its stdin asks it to exit.
 *
 * <p>One request at a time. Anything else on stdout (a print, a frame over the stdout limit, bytes that are not
 * JSON) kills the worker: its stdout can no longer be trusted to be in step.
 */
final class Worker {

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    /**
     * How the worker ended. A crash or misbehaviour counts toward the restart intensity, a host's kill (deadline)
     * does not; only a request lost in a crash is retried (misbehaviour would likely repeat).
     */
    enum Death { CRASH, MISBEHAVED, KILLED_BY_HOST, STOPPED }

    private record Pending(String id, CompletableFuture<JsonNode> answer) {
    }

    final int number;
    final String who;
    private final Manifest manifest;
    private final Process process;
    private final DataOutputStream stdin;
    private final DataInputStream stdout;
    private final Consumer<Worker> onDeath;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile Pending pending;
    private volatile long lastHeardNanos = System.nanoTime();
    volatile long idleSinceNanos = System.nanoTime();
    private volatile long heartbeatSentNanos;
    private final AtomicBoolean dead = new AtomicBoolean();
    private volatile Death death;
    private volatile String deathReason;

    private Worker(int number, Manifest manifest, Process process, Consumer<Worker> onDeath) {
        this.number = number;
        this.manifest = manifest;
        this.process = process;
        this.onDeath = onDeath;
        this.who = "cage '" + manifest.name() + "' " + manifest.version() + " worker " + number + " (pid " + process.pid() + ")";
        this.stdin = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
        this.stdout = new DataInputStream(new BufferedInputStream(process.getInputStream()));
    }

    /** Starts the process and its readers; {@link #ready} completes when it says so. */
    static Worker start(int number, Manifest manifest, Path dir, Consumer<Worker> onDeath) throws IOException {
        Worker worker = new Worker(number, manifest, OsProcess.start(manifest, dir), onDeath);
        StderrPump.start(worker.process.getErrorStream(), worker.who, worker::currentRequestId, manifest.maxStderrBytes());
        // A platform thread: a virtual thread blocked reading a pipe would pin its carrier for the worker's whole life
        // (file and pipe reads are not asynchronous), and the scheduler would compensate with more carriers.
        Thread.ofPlatform().daemon().name("cage-worker-" + manifest.name() + "-" + number).start(worker::readLoop);
        return worker;
    }

    boolean alive() {
        return !dead.get();
    }

    Death death() {
        return death;
    }

    String deathReason() {
        return deathReason;
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    long heartbeatSentNanos() {
        return heartbeatSentNanos;
    }

    private String currentRequestId() {
        Pending p = pending;
        return p == null ? null : p.id();
    }

    /**
     * Sends one request and waits for its answer until the deadline (see {@link #send}). An interrupt of the
     * calling thread counts as the deadline: the worker is killed.
     *
     * @throws WorkerLost when the worker died or misbehaved while holding the request
     */
    JsonNode call(String id, byte[] frame, String operation, Deadline deadline) throws CageException, WorkerLost {
        CompletableFuture<JsonNode> answer = send(id, frame, operation, deadline);
        try {
            // An untimed wait: the deadline is the timer's (see SupervisionTimer).
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            die(Death.KILLED_BY_HOST, deadlineReason(operation) + " (interrupted)");
            throw CageException.deadlineExceeded(who + " did not answer '" + operation + "' within its deadline");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CageException cage) {
                throw cage;
            }
            if (e.getCause() instanceof WorkerLost lost) {
                throw lost;
            }
            throw lost();
        }
    }

    /**
     * Sends one request frame, written on the calling thread, and returns at once. The future completes on the
     * worker's reader thread with the answer (or error) frame; exceptionally with a DEADLINE_EXCEEDED
     * {@link CageException} at the deadline, when the worker is killed: SIGTERM to its group, SIGKILL after the
     * termination timeout; or with {@link WorkerLost} when it died or misbehaved while holding the request. By
     * the time the future completes, the worker no longer holds the request (it may be given to the next).
     */
    CompletableFuture<JsonNode> send(String id, byte[] frame, String operation, Deadline deadline) {
        Pending p = new Pending(id, new CompletableFuture<>());
        pending = p;
        // Armed before the write: a worker that stops reading its stdin (a full pipe) is killed at the deadline too,
        // which ends the blocked write.
        ScheduledFuture<?> deadlineKill = SupervisionTimer.TIMER.schedule(() -> deadlinePassed(p, operation),
                Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        CompletableFuture<JsonNode> outcome = p.answer().handle((answer, error) -> {
            deadlineKill.cancel(false);
            pending = null;
            if (error == null) {
                return answer;
            }
            throw new CompletionException(error instanceof DeadlinePassed ? deadlineExceeded(operation) : lost());
        });
        try {
            write(frame);
        } catch (IOException e) {
            if (!passedItsDeadline(p)) {
                die(Death.CRASH, "its stdin is closed (" + e.getMessage() + ")"); // fails p with WorkerLost
            }
        }
        return outcome;
    }

    /** The deadline timer's side: fails the request (unless its answer came first) and kills the worker. */
    private void deadlinePassed(Pending p, String operation) {
        if (p.answer().completeExceptionally(DEADLINE_PASSED)) {
            die(Death.KILLED_BY_HOST, deadlineReason(operation));
        }
    }

    private static String deadlineReason(String operation) {
        return "did not answer '" + operation + "' within its deadline";
    }

    private static boolean passedItsDeadline(Pending p) {
        return p.answer().isCompletedExceptionally() && p.answer().exceptionNow() instanceof DeadlinePassed;
    }

    /**
     * The request failed at its deadline: the worker is dead before its handler gives it back to the pool (the timer
     * may still be on its way from failing the request to the kill), so it is never handed out again as idle.
     */
    private CageException deadlineExceeded(String operation) {
        die(Death.KILLED_BY_HOST, deadlineReason(operation));
        return CageException.deadlineExceeded(who + " did not answer '" + operation + "' within its deadline; it got SIGTERM"
                + " (SIGKILL after " + manifest.terminationTimeoutMs() + " ms) and a replacement starts");
    }

    /** How the deadline timer fails a pending answer; one shared instance, no stack trace (it is not an error). */
    private static final class DeadlinePassed extends Exception {
        DeadlinePassed() {
            super("deadline passed", null, false, false);
        }
    }

    private static final DeadlinePassed DEADLINE_PASSED = new DeadlinePassed();

    private WorkerLost lost() {
        return new WorkerLost(who + " " + deathReason, death == Death.CRASH);
    }

    /** Asks an idle worker whether it is alive; its answer refreshes {@link #lastHeardNanos}. */
    void sendHeartbeat() {
        heartbeatSentNanos = System.nanoTime();
        try {
            write(HEARTBEAT);
        } catch (IOException e) {
            die(Death.CRASH, "its stdin is closed (" + e.getMessage() + ")");
        }
    }

    private static final byte[] HEARTBEAT = "{\"type\":\"heartbeat\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private void write(byte[] frame) throws IOException {
        synchronized (stdin) {
            stdin.writeInt(frame.length);
            stdin.write(frame);
            stdin.flush();
        }
    }

    private void readLoop() {
        try {
            for (;;) {
                int length = stdout.readInt();
                if (length < 2 || length > manifest.maxStdoutBytes()) {
                    die(Death.MISBEHAVED, length > manifest.maxStdoutBytes()
                            ? "wrote a frame of " + length + " bytes, over the stdout limit of " + manifest.maxStdoutBytes()
                              + " bytes (or printed text to stdout, which carries only frames: use stderr for logs)"
                            : "wrote something that is not a frame (length " + length + "; stdout carries only frames: use stderr for logs)");
                    return;
                }
                byte[] bytes = new byte[length];
                stdout.readFully(bytes);
                JsonNode frame;
                try {
                    frame = Envelopes.JSON.readTree(bytes);
                } catch (IOException e) {
                    die(Death.MISBEHAVED, "wrote a frame that is not JSON: " + Envelopes.preview(bytes));
                    return;
                }
                lastHeardNanos = System.nanoTime();
                String type = frame.path("type").asText();
                switch (type) {
                    case "ready" -> ready.complete(null);
                    case "heartbeat" -> { }
                    case "answer", "error" -> {
                        Pending p = pending;
                        if (p != null && p.id().equals(frame.path("id").asText())) {
                            p.answer().complete(frame);
                        } else {
                            LOG.warn("{}: an {} for request {} that it does not hold; ignored", who, type, frame.path("id").asText());
                        }
                    }
                    default -> {
                        die(Death.MISBEHAVED, "sent a frame of unknown type '" + type + "': " + Envelopes.preview(bytes));
                        return;
                    }
                }
            }
        } catch (EOFException e) {
            die(Death.CRASH, exitDescription("closed its stdout"));
        } catch (IOException e) {
            die(Death.CRASH, exitDescription("stdout failed (" + e.getMessage() + ")"));
        }
    }

    /** "exited with exit status 3" when it exited soon after its stdout closed, else what happened to stdout. */
    private String exitDescription(String otherwise) {
        try {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                return "exited with " + OsProcess.describeExit(process.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return otherwise + " while still running";
    }

    /**
     * Ends the worker once: kills its process group (SIGTERM, SIGKILL after the termination timeout), fails the
     * request it holds, and tells the pool.
     */
    void die(Death how, String reason) {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        death = how;
        deathReason = reason;
        if (how != Death.STOPPED) {
            LOG.warn("{} {}; killing its process group", who, reason);
        }
        OsProcess.terminateInBackground(process, how == Death.KILLED_BY_HOST ? manifest.terminationTimeoutMs() : 0);
        Pending p = pending;
        if (p != null) {
            p.answer().completeExceptionally(new WorkerLost(reason, how == Death.CRASH));
        }
        ready.completeExceptionally(new WorkerLost(reason, false));
        onDeath.accept(this);
    }

    /** Asks an idle worker to exit (its stdin closes); its group is killed after the termination timeout. */
    void stop() {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        death = Death.STOPPED;
        deathReason = "stopped";
        Thread.ofVirtual().name("cage-stop-" + process.pid()).start(() -> {
            try {
                synchronized (stdin) {
                    stdin.close();
                }
            } catch (IOException e) {
                // already gone
            }
            try {
                process.waitFor(manifest.terminationTimeoutMs(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            OsProcess.terminate(process, manifest.terminationTimeoutMs());
        });
        ready.completeExceptionally(new WorkerLost("stopped", false));
        onDeath.accept(this);
    }

    @Override
    public String toString() {
        return who;
    }
}
