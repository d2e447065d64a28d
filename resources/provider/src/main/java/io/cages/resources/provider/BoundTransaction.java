package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.SqlWork;
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

    private sealed interface Part permits SqlPart, SendPart {
    }

    private record SqlPart(String database, SqlWork<?> work) implements Part {
    }

    private record SendPart(String queue, String destination, String text, Map<String, String> properties) implements Part {
    }

    private final Lookup<JdbcResource> databases;
    private final Lookup<JmsResource> queues;
    private final Deadline deadline;
    private final List<Part> parts = new ArrayList<>();
    private boolean committed;

    BoundTransaction(Lookup<JdbcResource> databases, Lookup<JmsResource> queues, Deadline deadline) {
        this.databases = databases;
        this.queues = queues;
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
    public List<Object> commit() throws CageException {
        checkOpen();
        committed = true;
        io.cages.resources.tx.GroupCommit tx = new io.cages.resources.tx.GroupCommit(deadline);
        for (Part part : parts) {
            switch (part) {
                case SqlPart p -> tx.sql(databases.get(p.database()), p.work());
                case SendPart p -> tx.jms(queues.get(p.queue()), session -> session.send(p.destination(), p.text(), p.properties()));
            }
        }
        return tx.run();
    }

    private void checkOpen() {
        if (committed) {
            throw new IllegalStateException("this transaction was already committed; start a new one with context.transaction()");
        }
    }
}
