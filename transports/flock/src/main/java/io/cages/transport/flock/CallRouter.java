package io.cages.transport.flock;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.spi.OutboundCall;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.spi.RemoteReply;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cages.transport.rpc.RemoteCageException;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcConnectionException;

/**
 * Calls by name to cages on other hosts: picks a copy by load, fails over, retries within the deadline and a
 * retry budget.
 *
 * <p>Choosing: among the copies not yet tried for this call and not ejected, two at random, the one with
 * fewer calls outstanding from this host (ties: the lower published load) — "power of two choices", which
 * spreads load almost as well as least-outstanding without herding every caller onto the same idle copy.
 *
 * <p>Failing over, the rule that keeps a call from running twice:
 * <ul>
 *   <li>provably not delivered (connect refused, connection closed before the write): another copy, at once;</li>
 *   <li>refused by the callee's host before any handler ran (no such cage there, at its limits, shutting
 *       down): another copy, at once;</li>
 *   <li>delivered, then the connection was lost: another copy only if the callee declares the operation
 *       idempotent ({@code Cage-Idempotent}) or the call is durable (it carries a key that the copies' shared
 *       inbox runs once, so a second delivery answers the first execution's answer); otherwise a clear error
 *       saying it may have run;</li>
 *   <li>an answer from the callee, error or not: that is the answer.</li>
 * </ul>
 * A copy whose connection failed is skipped for {@link RouterSettings#ejectMs()}. When the directory drops a
 * host, {@link #hostLeft} ends its calls in flight at once, under the same rules. Retries stop at the
 * call's deadline, after {@link RouterSettings#maxAttempts()}, and when the retry budget is spent.
 *
 * <p>Threads: the returned future completes on the thread that decided the outcome, often an RPC I/O
 * thread or the client's deadline timer, with no hand-off (as {@link RemoteCalls#call} allows): the router's
 * own stages never block, and a caller waiting in {@code get()} is woken straight from there. A caller that
 * attaches stages of its own hands them off first.
 */
public final class CallRouter implements RemoteCalls {

    private static final Logger LOG = LoggerFactory.getLogger(CallRouter.class);

    private final RpcClient client;
    private final CopyFinder copies;
    private final RouterSettings settings;
    private final RetryBudget budget;
    private final Ejections ejections;
    private final Outstanding outstanding = new Outstanding();

    public CallRouter(RpcClient client, CopyFinder copies, RouterSettings settings) {
        this.client = client;
        this.copies = copies;
        this.settings = settings;
        this.budget = new RetryBudget(settings.retryRatio(), settings.minRetries(), settings.windowMs());
        this.ejections = new Ejections(settings.ejectMs());
    }

    @Override
    public CompletableFuture<RemoteReply> call(OutboundCall call) {
        CompletableFuture<RemoteReply> result = new CompletableFuture<>();
        budget.recordCall();
        attempt(call, result, new HashSet<>(), 1, null);
        return result;
    }

    /**
     * The directory dropped {@code host} (it left, died or was cut off): ends the calls in flight to it now.
     *
     * <p>Why: a host that is cut off sends nothing, not even a reset, so its connections would only fail
     * when the heartbeat's idle timeout runs out (3 s by default), while the flock notices the silence sooner
     * (1.2 s plus a check). Closing its connections makes each of its calls fail as "delivered, then lost"
     * (or "not delivered" if its write had not completed), and the rules above decide: idempotent calls go
     * to another copy at once, within the deadline and the retry budget; the others fail saying they may or
     * may not have run. The host is also ejected, so a call choosing from a directory read just before the
     * drop passes it over.
     *
     * @param host    the host's name, as in its {@link CageCopy}
     * @param address its RPC address
     */
    public void hostLeft(String host, InetSocketAddress address) {
        ejections.eject(host);
        client.disconnect(address, "host '" + host + "' is no longer in the flock");
    }

    /** Retries spent in the current budget window, for tests and metrics. */
    public long retriesInWindow() {
        return budget.retries();
    }

    private void attempt(OutboundCall call, CompletableFuture<RemoteReply> result, Set<String> tried, int attempt,
                         CageException previous) {
        if (call.deadline().isExpired()) {
            result.completeExceptionally(CageException.deadlineExceeded("cage '" + call.cage() + "' operation '" + call.operation()
                    + "': the deadline passed after " + (attempt - 1) + " attempt(s)" + lastError(previous)));
            return;
        }
        CageCopy copy = choose(call.cage(), tried);
        if (copy == null) {
            if (previous == null && call.durable()) {
                // Not "not found" (final for a durable call): its relay waits for a copy to start, until it expires.
                result.completeExceptionally(CageException.unavailable("no host of the flock runs cage '" + call.cage()
                        + "' now; not executed"));
                return;
            }
            result.completeExceptionally(previous == null
                    ? CageException.notFound("no host of the flock runs cage '" + call.cage() + "'")
                    : new CageException(ErrorCode.UNAVAILABLE, "no other copy of cage '" + call.cage() + "' to try" + lastError(previous)));
            return;
        }
        tried.add(copy.host());
        boolean declaredIdempotent = copy.idempotent().contains(call.operation());
        // For failover only: the callee is told what the cage declared, and runs a durable call once by its key.
        boolean idempotent = declaredIdempotent || call.durable();
        outstanding.increment(copy.host());
        client.callDirect(copy.address(), call.traceId(), call.caller(), call.cage(), call.operation(), call.params(), call.body(),
                        call.contentType(), call.deadline(), declaredIdempotent, call.durableKey())
                .whenComplete((reply, failure) -> {
                    outstanding.decrement(copy.host());
                    if (failure == null) {
                        result.complete(new RemoteReply(reply, copy.host()));
                        return;
                    }
                    CageException error = unwrap(failure);
                    if (error instanceof RpcConnectionException) {
                        ejections.eject(copy.host());
                    }
                    String why = retryable(error, idempotent);
                    if (why == null) {
                        result.completeExceptionally(finalError(error, call, copy, idempotent));
                    } else if (attempt >= settings.maxAttempts()) {
                        result.completeExceptionally(new CageException(ErrorCode.UNAVAILABLE, "cage '" + call.cage() + "' operation '"
                                + call.operation() + "' failed on " + attempt + " copies" + lastError(error)));
                    } else if (!budget.tryRetry()) {
                        result.completeExceptionally(new CageException(ErrorCode.UNAVAILABLE, "cage '" + call.cage() + "' operation '"
                                + call.operation() + "' not retried: the retry budget (" + (int) (settings.retryRatio() * 100)
                                + "% of calls) is spent" + lastError(error)));
                    } else {
                        LOG.debug("retrying {} {} elsewhere ({}): {}", call.cage(), call.operation(), why, error.getMessage());
                        attempt(call, result, tried, attempt + 1, error);
                    }
                });
    }

    /** Why the call may go to another copy, or null when it must not. */
    private static String retryable(CageException error, boolean idempotent) {
        if (error instanceof RpcConnectionException connection) {
            if (!connection.delivered()) {
                return "not delivered";
            }
            return idempotent ? "delivered, idempotent" : null;
        }
        if (error instanceof RemoteCageException remote && remote.notExecuted() && remote.code() != ErrorCode.DEADLINE_EXCEEDED) {
            return "refused before running";
        }
        return null;
    }

    private static CageException finalError(CageException error, OutboundCall call, CageCopy copy, boolean idempotent) {
        if (error instanceof RpcConnectionException connection && connection.delivered() && !idempotent) {
            return new CageException(ErrorCode.UNAVAILABLE, "cage '" + call.cage() + "' operation '" + call.operation()
                    + "' on host '" + copy.host() + "': the call was delivered but the connection was lost before the answer; it may"
                    + " or may not have run, and it is not retried because '" + call.operation() + "' is not declared idempotent");
        }
        if (error instanceof RemoteCageException remote) {
            return new CageException(remote.code(), "cage '" + call.cage() + "' operation '" + call.operation() + "' on host '"
                    + remote.host() + "': " + remote.getMessage());
        }
        return error;
    }

    private CageCopy choose(String cage, Set<String> tried) {
        List<CageCopy> candidates = new ArrayList<>();
        List<CageCopy> ejected = new ArrayList<>();
        for (CageCopy copy : copies.copiesOf(cage)) {
            if (tried.contains(copy.host())) {
                continue;
            }
            (ejections.isEjected(copy.host()) ? ejected : candidates).add(copy);
        }
        if (candidates.isEmpty()) {
            candidates = ejected; // better a doubtful copy than none
        }
        if (candidates.isEmpty()) {
            return null;
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = random.nextInt(candidates.size());
        int j = random.nextInt(candidates.size() - 1);
        if (j >= i) {
            j++;
        }
        CageCopy a = candidates.get(i);
        CageCopy b = candidates.get(j);
        int byOutstanding = Integer.compare(outstanding.of(a.host()), outstanding.of(b.host()));
        if (byOutstanding != 0) {
            return byOutstanding < 0 ? a : b;
        }
        return a.load() <= b.load() ? a : b;
    }

    private static CageException unwrap(Throwable failure) {
        return io.cages.host.spi.Failures.asCageException(failure, "call failed");
    }

    private static String lastError(CageException error) {
        return error == null ? "" : "; last error: " + error.getMessage();
    }
}
