package io.cages.transport.rpc.internal;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs refused connections, one line each with the peer and the reason, but at most {@link #PER_WINDOW} per
 * {@link #WINDOW_MS}: a rogue peer retrying in a loop must not flood the log. The lines left out are counted
 * and said in the next line written.
 */
final class RefusalLog {

    static final int PER_WINDOW = 10;
    static final long WINDOW_MS = 10_000;

    private final Logger log;
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    RefusalLog(Logger log) {
        this.log = log;
    }

    void refused(SocketAddress peer, String reason) {
        long now = System.nanoTime();
        long start = windowStart.get();
        if (now - start > WINDOW_MS * 1_000_000 && windowStart.compareAndSet(start, now)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() > PER_WINDOW) {
            suppressed.incrementAndGet();
            return;
        }
        long left = suppressed.getAndSet(0);
        if (left > 0) {
            log.warn("rpc refused a connection from {}: {} ({} more refusals not logged)", peer, reason, left);
        } else {
            log.warn("rpc refused a connection from {}: {}", peer, reason);
        }
    }
}
