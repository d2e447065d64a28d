package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.SqlWork;
import io.cages.api.StateWork;
import io.cages.api.Transaction;
import io.cages.host.spi.StateFence;
import io.cages.resources.jdbc.JdbcErrors;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.tx.GroupCommit;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import io.cages.resources.provider.Lookup;
import io.cages.resources.provider.state.CageStates;

/**
 * The cage-facing transaction: parts are named by resource and resolved at {@link #commit}, so an unknown
 * name fails the whole transaction before anything runs. Durable calls become outbox rows written by the SQL
 * part of the outbox database, on its connection, after its work; SQL on the database of a durable call
 * being handled runs on that call's connection (see {@link DurableCalls}). Every state part runs in one
 * participant of the group commit, on one connection of the state database (see {@link CageStates}).
 */
final class BoundTransaction implements Transaction {

    private sealed interface Part permits SqlPart, SendPart, DurablePart, StatePart {
    }

    private record StatePart(StateWork<?> work) implements Part {
    }

    private record SqlPart(String database, SqlWork<?> work) implements Part {
    }

    private record SendPart(String queue, String destination, String text, Map<String, String> properties) implements Part {
    }

    private record DurablePart(String cage, String operation, String params, String key) implements Part {
    }

    /** The participant that runs every state part. */
    private static final int STATE = -1;

    private final Lookup<JdbcResource> databases;
    private final Lookup<JmsResource> queues;
    private final DurableCalls durable;
    private final Deadline deadline;
    private final List<Part> parts = new ArrayList<>();
    private final String caller;
    private final CageStates states;
    private final StateFence fence;
    private String outbox;
    private boolean committed;

    BoundTransaction(Lookup<JdbcResource> databases, Lookup<JmsResource> queues, DurableCalls durable, String caller, Deadline deadline) {
        this(databases, queues, durable, caller, deadline, null, null);
    }

    /** A transaction whose state parts run on {@code states}, fenced by {@code fence}. */
    BoundTransaction(Lookup<JdbcResource> databases, Lookup<JmsResource> queues, DurableCalls durable, String caller, Deadline deadline,
                     CageStates states, StateFence fence) {
        this.states = states;
        this.fence = fence;
        this.databases = databases;
        this.queues = queues;
        this.durable = durable;
        this.caller = caller;
        this.deadline = deadline;
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
    public Transaction callDurably(String cage, String operation, Map<String, ?> params, String key) {
        checkOpen();
        Objects.requireNonNull(cage, "cage");
        Objects.requireNonNull(operation, "operation");
        parts.add(new DurablePart(cage, operation, DurableCalls.paramsJson(cage, operation, params), DurableCalls.effectiveKey(key)));
        return this;
    }

    @Override
    public <T> Transaction state(StateWork<T> work) {
        checkOpen();
        parts.add(new StatePart(Objects.requireNonNull(work, "work")));
        return this;
    }

    @Override
    public Transaction outbox(String database) {
        checkOpen();
        this.outbox = Objects.requireNonNull(database, "database");
        return this;
    }

    @Override
    public List<Object> commit() throws CageException {
        checkOpen();
        committed = true;
        Object[] results = new Object[parts.size()];
        List<Part> work = new ArrayList<>(parts);
        List<DurableCalls.Row> rows = new ArrayList<>();
        String outboxDatabase = null;
        if (parts.stream().anyMatch(p -> p instanceof DurablePart)) {
            outboxDatabase = outboxDatabase();
            durable.ensureOutbox(outboxDatabase, deadline);
            for (int i = 0; i < parts.size(); i++) {
                if (parts.get(i) instanceof DurablePart p) {
                    DurableCalls.Row row = durable.newRow(outboxDatabase, caller, p.cage(), p.operation(), p.key(), p.params(), null);
                    rows.add(row);
                    results[i] = row.call();
                }
            }
            // The rows go on the connection of the first SQL part on that database, after its work: one commit.
            int first = -1;
            for (int i = 0; i < work.size() && first < 0; i++) {
                if (work.get(i) instanceof SqlPart p && p.database().equals(outboxDatabase)) {
                    first = i;
                }
            }
            SqlWork<?> original = first >= 0 ? ((SqlPart) work.get(first)).work() : c -> null;
            SqlPart withRows = new SqlPart(outboxDatabase, c -> {
                Object r = original.apply(c);
                for (DurableCalls.Row row : rows) {
                    DurableCalls.insert(c, row);
                }
                return r;
            });
            if (first >= 0) {
                work.set(first, withRows);
            } else {
                work.add(withRows);
            }
        }
        // SQL on the database of the durable call being handled joins that call's transaction, here and now.
        GroupCommit tx = new GroupCommit(deadline);
        List<Integer> inTx = new ArrayList<>(); // per participant, its part's index in work; STATE for the state participant
        // Every state part runs in one participant, at the place of the first one; its entries are put back below.
        List<StateWork<?>> stateWorks = new ArrayList<>();
        List<Integer> stateIndexes = new ArrayList<>();
        for (int i = 0; i < work.size(); i++) {
            Part part = work.get(i);
            if (part instanceof SqlPart p && DurableCalls.joinedOn(p.database()) != null) {
                Object r = runJoined(p);
                if (i < results.length) {
                    results[i] = r;
                }
                continue;
            }
            switch (part) {
                case SqlPart p -> tx.sql(databases.get(p.database()), p.work());
                case SendPart p -> tx.jms(queues.get(p.queue()), session -> session.send(p.destination(), p.text(), p.properties()));
                case DurablePart p -> {
                    continue;
                }
                case StatePart p -> {
                    stateIndexes.add(i);
                    stateWorks.add(p.work());
                    if (stateWorks.size() > 1) {
                        continue;
                    }
                    if (states == null) {
                        throw CageException.unavailable("this transaction has no cage state: it was not made by context.transaction()");
                    }
                    tx.sql(states.partResource(), states.part(fence, stateWorks));
                    inTx.add(STATE);
                    continue;
                }
            }
            inTx.add(i);
        }
        if (!inTx.isEmpty()) {
            List<Object> committedResults = tx.run();
            for (int k = 0; k < inTx.size(); k++) {
                int i = inTx.get(k);
                if (i == STATE) {
                    List<?> stateResults = (List<?>) committedResults.get(k);
                    for (int j = 0; j < stateIndexes.size(); j++) {
                        results[stateIndexes.get(j)] = stateResults.get(j);
                    }
                } else if (i < results.length) {
                    results[i] = committedResults.get(k);
                }
            }
        }
        if (!rows.isEmpty()) {
            durable.stored(outboxDatabase, rows); // on the joined connection: once the durable call being handled commits
        }
        return java.util.Collections.unmodifiableList(Arrays.asList(results));
    }

    private Object runJoined(SqlPart p) throws CageException {
        Connection joined = DurableCalls.joinedOn(p.database());
        try {
            return p.work().apply(joined);
        } catch (SQLException e) {
            throw JdbcErrors.translate(p.database(), deadline, e);
        }
    }

    /** The database of this transaction's durable calls: named with outbox(), or the one database its SQL parts use. */
    private String outboxDatabase() throws CageException {
        if (outbox != null) {
            return outbox;
        }
        Set<String> used = new LinkedHashSet<>();
        for (Part part : parts) {
            if (part instanceof SqlPart p) {
                used.add(p.database());
            }
        }
        if (used.size() == 1) {
            return used.iterator().next();
        }
        throw CageException.badRequest(used.isEmpty()
                ? "a transaction with durable calls stores them in its SQL database, and this one has no sql() part; name one with outbox(database)"
                : "a transaction with durable calls stores them in its SQL database, and this one uses " + used
                        + "; name one with outbox(database)");
    }

    private void checkOpen() {
        if (committed) {
            throw new IllegalStateException("this transaction was already committed; start a new one with context.transaction()");
        }
    }
}
