package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.SqlWork;
import io.cages.api.StateWork;
import io.cages.host.spi.StateFence;
import io.cages.resources.provider.state.CageStates;
import io.cages.api.Transaction;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jms.JmsResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import io.cages.resources.provider.Lookup;

/**
 * The cage-facing transaction: parts are named by resource and resolved at {@link #commit}, so an unknown
 * name fails the whole transaction before anything runs.
 */
final class BoundTransaction implements Transaction {

    private sealed interface Part permits SqlPart, SendPart, StatePart {
    }

    private record StatePart(StateWork<?> work) implements Part {
    }

    private record SqlPart(String database, SqlWork<?> work) implements Part {
    }

    private record SendPart(String queue, String destination, String text, Map<String, String> properties) implements Part {
    }

    private final Lookup<JdbcResource> databases;
    private final Lookup<JmsResource> queues;
    private final Deadline deadline;
    private final CageStates states;
    private final StateFence fence;
    private final List<Part> parts = new ArrayList<>();
    private boolean committed;

    BoundTransaction(Lookup<JdbcResource> databases, Lookup<JmsResource> queues, Deadline deadline) {
        this(databases, queues, deadline, null, null);
    }

    /** A transaction whose state parts run on {@code states}, fenced by {@code fence}. */
    BoundTransaction(Lookup<JdbcResource> databases, Lookup<JmsResource> queues, Deadline deadline, CageStates states,
                     StateFence fence) {
        this.databases = databases;
        this.queues = queues;
        this.deadline = deadline;
        this.states = states;
        this.fence = fence;
    }

    @Override
    public <T> Transaction sql(String database, SqlWork<T> work) {
        checkOpen();
        parts.add(new SqlPart(Objects.requireNonNull(database, "database"), Objects.requireNonNull(work, "work")));
        return this;
    }

    @Override
    public Transaction send(String queue, String destination, String text, Map<String, String> properties) {
        checkOpen();
        parts.add(new SendPart(Objects.requireNonNull(queue, "queue"), Objects.requireNonNull(destination, "destination"),
                Objects.requireNonNull(text, "text"), Map.copyOf(properties)));
        return this;
    }

    @Override
    public <T> Transaction state(StateWork<T> work) {
        checkOpen();
        parts.add(new StatePart(Objects.requireNonNull(work, "work")));
        return this;
    }

    @Override
    public List<Object> commit() throws CageException {
        checkOpen();
        committed = true;
        io.cages.resources.tx.GroupCommit tx = new io.cages.resources.tx.GroupCommit(deadline);
        // Every state part runs in one participant, at the place of the first one; its entries are put back below.
        List<StateWork<?>> stateWorks = new ArrayList<>();
        int participants = 0;
        int stateParticipant = -1;
        for (Part part : parts) {
            if (part instanceof StatePart p) {
                if (stateWorks.isEmpty()) {
                    if (states == null) {
                        throw CageException.unavailable("this transaction has no cage state: it was not made by context.transaction()");
                    }
                    stateParticipant = participants++;
                    tx.sql(states.partResource(), states.part(fence, stateWorks));
                }
                stateWorks.add(p.work());
                continue;
            }
            participants++;
            switch (part) {
                case SqlPart p -> tx.sql(databases.get(p.database()), p.work());
                case SendPart p -> tx.jms(queues.get(p.queue()), session -> session.send(p.destination(), p.text(), p.properties()));
                case StatePart p -> throw new AssertionError("handled above");
            }
        }
        List<Object> results = tx.run();
        if (stateParticipant < 0) {
            return results;
        }
        List<?> stateResults = (List<?>) results.get(stateParticipant);
        List<Object> out = new ArrayList<>(parts.size());
        int next = 0;
        int nextState = 0;
        for (Part part : parts) {
            if (part instanceof StatePart) {
                if (nextState == 0) {
                    next++; // the state participant's own entry (the list of state results)
                }
                out.add(stateResults.get(nextState++));
            } else {
                out.add(results.get(next++));
            }
        }
        return java.util.Collections.unmodifiableList(out);
    }

    private void checkOpen() {
        if (committed) {
            throw new IllegalStateException("this transaction was already committed; start a new one with context.transaction()");
        }
    }
}
