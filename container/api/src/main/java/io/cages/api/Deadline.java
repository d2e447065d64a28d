package io.cages.api;

import java.time.Duration;

/**
 * An absolute point in time by which a request must be answered, on the monotonic clock of this JVM.
 * Deadlines travel with every request: a transport turns the caller's remaining time into a deadline, the
 * host caps it with the cage's own limit, and work whose deadline has passed is not started.
 */
public final class Deadline implements Comparable<Deadline> {

    /** Longest deadline accepted, so that arithmetic on {@link System#nanoTime()} never overflows. */
    private static final long MAX_NANOS = Duration.ofDays(365).toNanos();

    private final long nanoTime;

    private Deadline(long nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** A deadline {@code timeout} from now; negative timeouts give an already expired deadline. */
    public static Deadline after(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = MAX_NANOS;
        }
        return new Deadline(System.nanoTime() + Math.min(nanos, MAX_NANOS));
    }

    /** A deadline {@code millis} milliseconds from now. */
    public static Deadline afterMillis(long millis) {
        return after(Duration.ofMillis(millis));
    }

    /** Time left, zero or positive. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, nanoTime - System.nanoTime()));
    }

    /** Whole milliseconds left, zero once expired. This is what a transport sends to the next hop. */
    public long remainingMillis() {
        return Math.max(0, (nanoTime - System.nanoTime()) / 1_000_000);
    }

    /** Nanoseconds left; negative once expired. */
    public long remainingNanos() {
        return nanoTime - System.nanoTime();
    }

    public boolean isExpired() {
        return nanoTime - System.nanoTime() <= 0;
    }

    /** The earlier of this deadline and {@code other}. */
    public Deadline earliest(Deadline other) {
        return other == null || compareTo(other) <= 0 ? this : other;
    }

    @Override
    public int compareTo(Deadline other) {
        return Long.compare(nanoTime - other.nanoTime, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Deadline d && d.nanoTime == nanoTime;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nanoTime);
    }

    @Override
    public String toString() {
        return "Deadline[in " + remainingMillis() + " ms]";
    }
}
