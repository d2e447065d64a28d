package io.cages.host.internal;

import io.cages.api.CageException;
import io.cages.api.CageRef;
import io.cages.api.CallResult;
import io.cages.api.DurableCall;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** A cage called by name from one cage version. */
final class HostCageRef implements CageRef {

    private final CageCalls calls;
    private final HostCageContext caller;
    private final String cage;

    HostCageRef(CageCalls calls, HostCageContext caller, String cage) {
        this.calls = calls;
        this.caller = caller;
        this.cage = cage;
    }

    @Override
    public String name() {
        return cage;
    }

    @Override
    public CallResult call(String operation, Map<String, ?> params) throws CageException {
        return call(operation, params, null, null);
    }

    @Override
    public CallResult call(String operation, Map<String, ?> params, byte[] body, String contentType) throws CageException {
        CurrentRequest.refuseIfNonBlocking("call cage '" + cage + "' and wait (callAsync does not wait)");
        CompletableFuture<CallResult> future = calls.call(caller, cage, operation, params, body, contentType, true);
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw CageCalls.unwrap(e.getCause());
        } catch (InterruptedException e) {
            // The host interrupts a handler when its deadline passes; keep the flag for the handler to see.
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw CageException.deadlineExceeded("interrupted while calling cage '" + cage + "' operation '" + operation + "'");
        }
    }

    @Override
    public CompletableFuture<CallResult> callAsync(String operation, Map<String, ?> params) {
        return callAsync(operation, params, null, null);
    }

    @Override
    public CompletableFuture<CallResult> callAsync(String operation, Map<String, ?> params, byte[] body, String contentType) {
        return calls.call(caller, cage, operation, params, body, contentType, false);
    }

    @Override
    public DurableCall callDurably(String operation, Map<String, ?> params, String key, Duration expiry) throws CageException {
        CurrentRequest.refuseIfNonBlocking("store a durable call to cage '" + cage + "'");
        return caller.callDurably(cage, operation, params, key, expiry);
    }

    @Override
    public String toString() {
        return "cage " + cage + " (called from " + caller.cageName() + ")";
    }
}
