package io.cages.process.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm workers of one version of a pool cage (Cocaine's engine): grows on demand up to {@code pool} workers,
 * lets up to {@code queue} requests wait for one and refuses the next at once, replaces a worker that died, pings
 * idle workers and kills those that miss heartbeats, and retires workers idle past the idle timeout (keeping one).
 * Crashes count toward the restart intensity; past it the version is failed and starts nothing more.
 */
final class WorkerPool {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    private static final ScheduledExecutorService TIMER = SupervisionTimer.TIMER;

    private final Manifest manifest;
    private final Path dir;
    private final Consumer<String> failed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Worker> workers = new ArrayList<>();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final RestartIntensity intensity;
    private final AtomicInteger numbers = new AtomicInteger();
    private final ScheduledFuture<?> supervision;
    private int starting;
    private int waiting;
    private boolean closed;
    private String failure;

    WorkerPool(Manifest manifest, Path dir, Consumer<String> failed) {
        this.manifest = manifest;
        this.dir = dir;
        this.failed = failed;
        this.intensity = new RestartIntensity(manifest.maxRestarts(), manifest.restartWindowSeconds());
        long period = Math.max(10, Math.min(1000, manifest.heartbeatTimeoutMs() / 3));
        this.supervision = TIMER.scheduleWithFixedDelay(this::supervise, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts the first worker and waits until it is ready: a version whose program cannot start never serves. */
    void startFirst() throws Exception {
        Worker worker = Worker.start(numbers.incrementAndGet(), manifest, dir, this::died);
        try {
            worker.ready.get(manifest.startupTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            worker.die(Worker.Death.KILLED_BY_HOST, "did not say ready within the start-up timeout");
            throw new Exception(worker.who + " did not say ready within the start-up timeout of " + manifest.startupTimeoutMs() + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new Exception(worker.who + " did not start: " + e.getCause().getMessage());
        }
        lock.lock();
        try {
            workers.add(worker);
            idle.addLast(worker);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A ready worker for one request, waiting (until the deadline) when all are busy.
     *
     * @throws CageException UNAVAILABLE when the queue is full or the version failed; DEADLINE_EXCEEDED when none
     *                       became free in time
     */
    Worker acquire(Deadline deadline, String operation) throws CageException {
        lock.lock();
        try {
            waiting++;
            for (;;) {
                if (failure != null) {
                    throw CageException.unavailable("cage '" + manifest.name() + "' " + manifest.version() + " has failed: " + failure);
                }
                if (closed) {
                    throw CageException.unavailable("cage '" + manifest.name() + "' " + manifest.version() + " is stopping");
                }
                Worker worker = idle.pollLast(); // the most recently used: warm caches, and the others may go idle
                if (worker != null) {
                    return worker;
                }
                if (workers.size() + starting < manifest.pool() && starting < waiting) {
                    startWorker(0);
                }
                if (waiting > manifest.queue() + Math.max(0, manifest.pool() - workers.size())) {
                    throw CageException.unavailable("cage '" + manifest.name() + "': all " + manifest.pool() + " workers are busy and "
                            + manifest.queue() + " requests wait; no room for another (retry later)");
                }
                long left = deadline.remainingNanos();
                if (left <= 0) {
                    throw CageException.deadlineExceeded("cage '" + manifest.name() + "' operation '" + operation
                            + "' waited for a free worker past its deadline");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CageException.deadlineExceeded("cage '" + manifest.name() + "' operation '" + operation
                    + "' waited for a free worker past its deadline");
        } finally {
            waiting--;
            lock.unlock();
        }
    }

    /**
     * An idle worker at once, or null when none is (all busy, none started yet, or the version stopped or failed):
     * the caller then waits in {@link #acquire}, which also starts workers and says why when it cannot.
     */
    Worker tryAcquire() {
        lock.lock();
        try {
            return closed || failure != null || waiting > 0 ? null : idle.pollLast();
        } finally {
            lock.unlock();
        }
    }

    /** Gives a worker back after its request; a dead one is not taken back (it was replaced already). */
    void release(Worker worker) {
        lock.lock();
        try {
            if (worker.alive() && !closed && failure == null) {
                worker.idleSinceNanos = System.nanoTime();
                idle.addLast(worker);
                changed.signal();
                return;
            }
        } finally {
            lock.unlock();
        }
        if (worker.alive()) {
            worker.stop();
        }
    }

    /** Starts a worker on a virtual thread after {@code delayMs}; under the lock. */
    private void startWorker(long delayMs) {
        starting++;
        Runnable start = () -> Thread.ofVirtual().name("cage-start-" + manifest.name()).start(this::startOne);
        if (delayMs == 0) {
            start.run();
        } else {
            TIMER.schedule(start, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void startOne() {
        lock.lock();
        try {
            if (closed || failure != null) { // closed while this start waited for its back-off
                starting--;
                return;
            }
        } finally {
            lock.unlock();
        }
        Worker worker = null;
        String problem;
        try {
            worker = Worker.start(numbers.incrementAndGet(), manifest, dir, this::died);
                worker.ready.get(manifest.startupTimeoutMs(), TimeUnit.MILLISECONDS);
            lock.lock();
            try {
                starting--;
                if (!closed && failure == null && worker.alive()) {
                    workers.add(worker);
                    worker.idleSinceNanos = System.nanoTime();
                    idle.addLast(worker);
                    changed.signalAll();
                    return;
                }
            } finally {
                lock.unlock();
            }
            worker.stop();
            return;
        } catch (TimeoutException e) {
            problem = "did not say ready within the start-up timeout of " + manifest.startupTimeoutMs() + " ms";
            worker.die(Worker.Death.KILLED_BY_HOST, problem);
        } catch (java.util.concurrent.ExecutionException e) {
            problem = "did not start: " + e.getCause().getMessage();
        } catch (java.io.IOException e) {
            problem = "could not be started: " + manifest.command() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted while starting";
        }
        lock.lock();
        try {
            starting--;
            crashed((worker == null ? "a new worker" : worker.who) + " " + problem);
        } finally {
            lock.unlock();
        }
    }

    /** A worker ended: forget it; replace it (after the back-off) unless the pool is closed or failed. */
    private void died(Worker worker) {
        lock.lock();
        try {
            boolean member = workers.remove(worker);
            idle.remove(worker);
            if (!member || closed || failure != null) {
                return;
            }
            switch (worker.death()) {
                case CRASH, MISBEHAVED -> crashed(worker.who + " " + worker.deathReason());
                case KILLED_BY_HOST -> startWorker(0);
                case STOPPED -> { }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: counts a crash; fails the version past the restart intensity, else restarts after the back-off. */
    private void crashed(String what) {
        if (closed || failure != null) {
            return;
        }
        if (intensity.crashedTooOften()) {
            failure = "its workers crashed " + intensity.recent() + " times within " + manifest.restartWindowSeconds()
                    + " s (more than maxRestarts " + manifest.maxRestarts() + "); last: " + what;
            changed.signalAll();
            List<Worker> all = List.copyOf(workers);
            workers.clear();
            idle.clear();
            all.forEach(Worker::stop); // their in-flight requests still get their answers or deadlines
            Thread.ofVirtual().start(() -> failed.accept(failure));
            return;
        }
        if (workers.size() + starting < manifest.pool()) {
            long backoff = intensity.backoffMs();
            LOG.info("cage {} {}: restarting a worker{} ({})", manifest.name(), manifest.version(),
                    backoff == 0 ? "" : " in " + backoff + " ms", what);
            startWorker(backoff);
        }
        changed.signalAll();
    }

    /** Every heartbeat period: ping idle workers, kill those silent past the heartbeat timeout, retire long-idle ones. */
    private void supervise() {
        List<Worker> silent = new ArrayList<>();
        List<Worker> ping = new ArrayList<>();
        List<Worker> retire = new ArrayList<>();
        long now = System.nanoTime();
        long heartbeat = TimeUnit.MILLISECONDS.toNanos(manifest.heartbeatTimeoutMs());
        long idleLimit = TimeUnit.MILLISECONDS.toNanos(manifest.idleTimeoutMs());
        lock.lock();
        try {
            for (Worker worker : idle) {
                if (now - worker.lastHeardNanos() > heartbeat) {
                    silent.add(worker);
                } else if (now - worker.idleSinceNanos > idleLimit && workers.size() - retire.size() > 1) {
                    retire.add(worker);
                } else if (now - worker.lastHeardNanos() > heartbeat / 3 && now - worker.heartbeatSentNanos() > heartbeat / 3) {
                    ping.add(worker);
                }
            }
            idle.removeAll(silent);
            idle.removeAll(retire);
        } finally {
            lock.unlock();
        }
        silent.forEach(w -> w.die(Worker.Death.CRASH, "missed its heartbeats for " + manifest.heartbeatTimeoutMs() + " ms"));
        retire.forEach(Worker::stop);
        ping.forEach(Worker::sendHeartbeat);
    }

    /** Runs {@code action} once every worker had its termination timeout to exit (to delete the version's files). */
    void afterTermination(Runnable action) {
        TIMER.schedule(() -> Thread.ofVirtual().start(action), manifest.terminationTimeoutMs() + 1000, TimeUnit.MILLISECONDS);
    }

    /** Stops every worker (after the version drained): they exit when their stdin closes, or are killed. */
    void close() {
        List<Worker> all;
        lock.lock();
        try {
            closed = true;
            all = List.copyOf(workers);
            workers.clear();
            idle.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        supervision.cancel(false);
        all.forEach(Worker::stop);
    }
}
