package io.cages.host.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Count in, count out, retire: the close runs once, never with a user inside before the deadline. */
class DrainTest {

    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void retiringWithNobodyInsideClosesAtOnce() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        Drain drain = new Drain("idle", closes::incrementAndGet);

        drain.retire(LONG).get(5, TimeUnit.SECONDS);

        assertEquals(1, closes.get());
        assertFalse(drain.tryEnter(), "a retired drain takes nobody in");
        assertEquals(0, drain.inFlight());
    }

    @Test
    void closesWhenTheLastUserLeaves() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        Drain drain = new Drain("two users", closes::incrementAndGet);
        assertTrue(drain.tryEnter());
        assertTrue(drain.tryEnter());

        CompletableFuture<Void> closed = drain.retire(LONG);
        assertTrue(drain.draining());
        assertFalse(drain.tryEnter(), "no one enters once draining began");
        assertEquals(2, drain.inFlight(), "the refused enter left no count behind");
        drain.leave();
        assertFalse(closed.isDone(), "one user is still inside");
        assertEquals(0, closes.get());
        drain.leave();

        closed.get(5, TimeUnit.SECONDS);
        assertEquals(1, closes.get());
    }

    @Test
    void closesAtTheDeadlineWithUsersStillInsideAndOnlyOnce() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        AtomicInteger insideAtClose = new AtomicInteger(-1);
        Drain[] self = new Drain[1];
        Drain drain = new Drain("stuck", () -> {
            insideAtClose.set(self[0].inFlight());
            closes.incrementAndGet();
        });
        self[0] = drain;
        assertTrue(drain.tryEnter());

        long started = System.nanoTime();
        CompletableFuture<Void> closed = drain.retire(Duration.ofMillis(200));
        closed.get(5, TimeUnit.SECONDS);

        assertTrue(System.nanoTime() - started >= Duration.ofMillis(200).toNanos(), "not before the deadline");
        assertEquals(1, closes.get());
        assertEquals(1, insideAtClose.get(), "closed with the straggler inside");
        drain.leave(); // the straggler finishes late: nothing closes twice
        assertSame(closed, drain.retire(Duration.ZERO), "a second retire returns the first one's future");
        assertEquals(1, closes.get());
    }

    @Test
    void aFailingCloseStillCompletesTheRetirement() throws Exception {
        Drain drain = new Drain("broken", () -> {
            throw new IllegalStateException("on purpose");
        });
        drain.retire(LONG).get(5, TimeUnit.SECONDS);
        assertFalse(drain.tryEnter());
    }

    @Test
    void concurrentRetiresCloseOnce() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        Drain drain = new Drain("many retirers", closes::incrementAndGet);
        assertTrue(drain.tryEnter());
        int threads = 16;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<CompletableFuture<CompletableFuture<Void>>> retires = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            CompletableFuture<CompletableFuture<Void>> f = new CompletableFuture<>();
            retires.add(f);
            Thread.ofPlatform().start(() -> {
                try {
                    start.await(5, TimeUnit.SECONDS);
                    f.complete(drain.retire(LONG));
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            });
        }
        CompletableFuture<Void> first = retires.get(0).get(5, TimeUnit.SECONDS);
        for (CompletableFuture<CompletableFuture<Void>> f : retires) {
            assertSame(first, f.get(5, TimeUnit.SECONDS));
        }
        drain.leave();
        first.get(5, TimeUnit.SECONDS);
        assertEquals(1, closes.get());
    }

    /**
     * The interleaving behind the old flake of {@link #enterRacingRetireNeverClosesUnderAUser}, replayed on one
     * thread: the last user's leave has counted down to zero when another user enters and the retirement
     * begins, both before that leave returns. The newcomer is inside, so nothing may close until it leaves.
     */
    @Test
    void aLeaveOvertakenByAnEnterAndTheRetirementDoesNotCloseUnderTheNewcomer() throws Exception {
        AtomicBoolean newcomerInside = new AtomicBoolean();
        AtomicInteger closes = new AtomicInteger();
        AtomicBoolean closedUnderTheNewcomer = new AtomicBoolean();
        Drain[] self = new Drain[1];
        List<CompletableFuture<Void>> retired = new ArrayList<>();
        AtomicBoolean overtaken = new AtomicBoolean();
        Runnable overtake = () -> { // between the count reaching zero and the leave acting on it
            if (overtaken.compareAndSet(false, true)) {
                newcomerInside.set(self[0].tryEnter());
                retired.add(self[0].retire(LONG));
            }
        };
        Drain drain = new Drain("overtaken leave", () -> {
            closedUnderTheNewcomer.set(newcomerInside.get());
            closes.incrementAndGet();
        }, overtake);
        self[0] = drain;
        assertTrue(drain.tryEnter());

        drain.leave();

        assertTrue(newcomerInside.get(), "the newcomer got in before the drain began");
        CompletableFuture<Void> closed = retired.get(0);
        // the close would run within microseconds of that leave if it had been set off; it must not be
        assertThrows(TimeoutException.class, () -> closed.get(300, TimeUnit.MILLISECONDS), "closed with the newcomer inside");
        newcomerInside.set(false);
        drain.leave();
        closed.get(5, TimeUnit.SECONDS);
        assertEquals(1, closes.get());
        assertFalse(closedUnderTheNewcomer.get(), "closed with the newcomer inside");
    }

    /**
     * Many threads enter and leave in a tight loop while another retires: the close must run exactly once, only
     * after every user that got in has left, and nobody gets in after the drain began.
     */
    @Test
    void enterRacingRetireNeverClosesUnderAUser() throws Exception {
        for (int round = 0; round < 50; round++) {
            AtomicInteger holders = new AtomicInteger();
            AtomicInteger closes = new AtomicInteger();
            AtomicInteger holdersAtClose = new AtomicInteger(-1);
            AtomicBoolean closedFlag = new AtomicBoolean();
            AtomicInteger enteredAfterClose = new AtomicInteger();
            Drain drain = new Drain("race " + round, () -> {
                holdersAtClose.set(holders.get());
                closedFlag.set(true);
                closes.incrementAndGet();
            });
            int threads = 8;
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                Thread.ofPlatform().start(() -> {
                    try {
                        start.await(5, TimeUnit.SECONDS);
                        int refusals = 0;
                        while (refusals < 100) { // keep trying a while after the drain began
                            if (drain.tryEnter()) {
                                holders.incrementAndGet();
                                if (closedFlag.get()) {
                                    enteredAfterClose.incrementAndGet();
                                }
                                Thread.onSpinWait();
                                holders.decrementAndGet();
                                drain.leave();
                            } else {
                                refusals++;
                            }
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            start.await(5, TimeUnit.SECONDS);
            Thread.onSpinWait();
            CompletableFuture<Void> closed = drain.retire(LONG);
            assertTrue(done.await(10, TimeUnit.SECONDS), "the users stopped");
            closed.get(5, TimeUnit.SECONDS);

            assertEquals(1, closes.get(), "closed exactly once");
            assertEquals(0, holdersAtClose.get(), "nobody was inside when it closed");
            assertEquals(0, enteredAfterClose.get(), "nobody got in after it closed");
            assertEquals(0, drain.inFlight());
        }
    }
}
