package io.cages.resources.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.DurableCall;
import io.cages.api.ErrorCode;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.Reply;
import io.cages.host.spi.ResourceContext;
import io.cages.resources.jdbc.JdbcErrors;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.JdbcResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable calls, stored in databases the host already has: an outbox table (in a transaction's database, or the
 * host's own H2 database for calls made outside one), a relay that delivers due calls by name with back-off
 * and stores each outcome, and on the target an inbox table in the cage's database that records each key in
 * the same commit as the handler's work. See the resources/provider README, "Durable calls".
 */
final class DurableCalls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DurableCalls.class);
    /** The host's own database; not a name the resources file allows, so it never clashes with one. */
    static final String HOST_DATABASE = "_durable";
    static final long FIRST_RETRY_MS = 100;
    static final long MAX_RETRY_MS = 30_000;
    /** The longest one delivery attempt waits (the target cage's own timeout usually ends it sooner). */
    static final long ATTEMPT_TIMEOUT_MS = 60_000;
    private static final int BATCH = 500;
    private static final int MAX_IN_FLIGHT = 64;
    private static final long PURGE_EVERY_MS = 10 * 60_000;
    /** Calls handed to the relay and not yet taken; beyond this the relay finds them by reading the outbox. */
    private static final int MAX_HANDED_OFF = 10_000;

    /** The inbox connection of the durable call this thread is handling, which the handler's SQL joins. */
    private static final ThreadLocal<Joined> JOINED = new ThreadLocal<>();

    /** {@code stored}: calls the handler stored on the connection, handed to the relay once it commits. */
    record Joined(String database, Connection connection, String key, List<Row> stored) {
    }

    /** A call just committed, given to the relay so it need not read the outbox to find it. */
    private record HandedOff(String database, Due call) {
    }

    private record Due(String id, String caller, String cage, String operation, String key, String params, int attempts,
                       long expiresAt, String lastError) {
    }

    private final ResourceContext context;
    private final Lookup<JdbcResource> databases;
    private final Path ownFile;
    private volatile DurableSettings settings;
    // CONCURRENCY: own is opened once (synchronized ownDatabase()) and closed by close().
    private JdbcResources own;
    private final Set<String> outboxReady = ConcurrentHashMap.newKeySet();
    private final Set<String> inboxReady = ConcurrentHashMap.newKeySet();
    /** Outbox databases the relay reads, as registered in the host's own database. */
    private final Set<String> outboxes = ConcurrentHashMap.newKeySet();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Semaphore deliveries = new Semaphore(MAX_IN_FLIGHT);
    /** Per outbox database: calls stored outside a transaction and the relay's outcomes share commits. */
    private final Map<String, BatchedCommit> batches = new ConcurrentHashMap<>();
    private final Wakeup wakeup = new Wakeup();
    private final ConcurrentLinkedQueue<HandedOff> handedOff = new ConcurrentLinkedQueue<>();
    private final AtomicInteger handedOffCount = new AtomicInteger();
    private final AtomicLong earliestRetry = new AtomicLong(Long.MAX_VALUE);
    private volatile boolean closed;
    private Thread relay;
    private final RelayCounts counts = new RelayCounts();
    private final DoneRecorder done = new DoneRecorder(this::batchOf);

    DurableCalls(ResourceContext context, Lookup<JdbcResource> databases, DurableSettings settings) {
        this.context = context;
        this.databases = databases;
        this.settings = settings;
        this.ownFile = context.config().workDir().resolve("durable").resolve("calls").toAbsolutePath();
    }

    /** Starts the relay; it opens the host's own database now only if an earlier run left one (calls may wait in it). */
    void start() {
        relay = Thread.ofVirtual().name("cages-durable-relay").start(this::relayLoop);
    }

    void reconfigure(DurableSettings settings) {
        this.settings = settings;
    }

    // ---------------------------------------------------------------- storing

    /** The key for a call made on this thread: under the key of the durable call being handled, if any. */
    static String effectiveKey(String key) {
        Joined joined = JOINED.get();
        return DurableKeys.effective(joined == null ? null : joined.key(), key);
    }

    /** The joined inbox connection if this thread handles a durable call whose inbox is {@code database}. */
    static Connection joinedOn(String database) {
        Joined joined = JOINED.get();
        return joined != null && joined.database().equals(database) ? joined.connection() : null;
    }

    static String paramsJson(String cage, String operation, Map<String, ?> params) {
        try {
            return HostJson.MAPPER.writeValueAsString(params == null ? Map.of() : params);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("parameters of the durable call of cage '" + cage + "' operation '" + operation
                    + "' cannot be stored as JSON: " + e.getMessage(), e);
        }
    }

    /** A call made outside a transaction: one row in the configured database (the host's own by default). */
    DurableCall store(String caller, String cage, String operation, Map<String, Object> params, String key, Duration expiry)
            throws CageException {
        String fullKey = effectiveKey(key);
        String json = paramsJson(cage, operation, params);
        String database = Objects.requireNonNullElse(settings.database(), HOST_DATABASE);
        Row row = newRow(database, caller, cage, operation, fullKey, json, expiry);
        Deadline deadline = context.currentDeadline();
        ensureOutbox(database, deadline);
        Connection joined = joinedOn(database);
        if (joined != null) {
            // Handling a durable call on this same database: the child is stored only if the parent's work commits.
            try {
                insert(joined, row);
            } catch (SQLException e) {
                throw JdbcErrors.translate(database, deadline, e);
            }
            stored(database, List.of(row));
        } else {
            batchOf(database).write(deadline, statements -> insert(statements.prepare(INSERT), row)); // returns once the commit holding the row returned
            stored(database, List.of(row));
        }
        return row.call();
    }

    /**
     * {@code rows} were stored in {@code database}: committed, so they go to the relay now; or on the connection of
     * the durable call being handled, so they go to it once that call commits (not at all if it rolls back).
     */
    void stored(String database, List<Row> rows) {
        Joined joined = JOINED.get();
        if (joined != null && joined.database().equals(database)) {
            joined.stored().addAll(rows);
        } else {
            handOff(database, rows);
        }
    }

    /**
     * Gives committed rows to the relay, which delivers them without reading the outbox for them (reading up to
     * {@value #BATCH} due rows after every commit cost more than the deliveries). The outbox stays the truth: a
     * call handed off and lost in a crash, or beyond {@value #MAX_HANDED_OFF} waiting, is found by reading it.
     */
    private void handOff(String database, List<Row> rows) {
        boolean overflow = false;
        for (Row row : rows) {
            if (handedOffCount.incrementAndGet() > MAX_HANDED_OFF) {
                handedOffCount.decrementAndGet();
                overflow = true;
                continue;
            }
            handedOff.add(new HandedOff(database, new Due(row.id(), row.caller(), row.cage(), row.operation(), row.key(), row.params(),
                    0, row.expiresAt(), null)));
        }
        wakeup.wake(overflow);
    }

    private BatchedCommit batchOf(String database) {
        return batches.computeIfAbsent(database, name -> new BatchedCommit(name, this::resolve));
    }

    /** An outbox row to insert, with its id. */
    record Row(String database, String id, String caller, String cage, String operation, String key, String params,
               long createdAt, long expiresAt) {
        StoredCall call() {
            return StoredCall.pending(id, key, cage, operation, Instant.ofEpochMilli(expiresAt));
        }
    }

    Row newRow(String database, String caller, String cage, String operation, String fullKey, String params, Duration expiry) {
        long now = System.currentTimeMillis();
        Duration life = expiry != null ? expiry : settings.expiry();
        if (life.isNegative() || life.isZero()) {
            throw new IllegalArgumentException("a durable call's expiry must be positive, not " + life);
        }
        String id = UUID.randomUUID() + (HOST_DATABASE.equals(database) ? "" : "@" + database);
        return new Row(database, id, caller, cage, operation, fullKey, params, now, now + life.toMillis());
    }

    /** Inserts {@code row} on {@code c}, in whatever transaction {@code c} is in. */
    static void insert(Connection c, Row row) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            insert(s, row);
        }
    }

    private static final String INSERT = "INSERT INTO " + DurableSql.OUTBOX + " (id, caller, cage, operation, call_key,"
            + " params, status, attempts, created_at, next_attempt_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)";

    private static void insert(PreparedStatement s, Row row) throws SQLException {
        s.setString(1, row.id());
        s.setString(2, row.caller());
        s.setString(3, row.cage());
        s.setString(4, row.operation());
        s.setString(5, row.key());
        s.setString(6, row.params());
        s.setLong(7, row.createdAt());
        s.setLong(8, row.createdAt());
        s.setLong(9, row.expiresAt());
        s.executeUpdate();
    }

    /**
     * Creates the outbox table in {@code database} if needed and registers it for the relay, before a call is
     * stored there: a call committed in it is then found again after a restart.
     */
    void ensureOutbox(String database, Deadline deadline) throws CageException {
        if (outboxReady.contains(database)) {
            return;
        }
        resolve(database).use(deadline, c -> {
            DurableSql.createOutbox(c);
            return null;
        });
        if (!HOST_DATABASE.equals(database)) {
            ownDatabase().use(deadline, c -> {
                DurableSql.register(c, database);
                return null;
            });
        }
        outboxes.add(database);
        outboxReady.add(database);
    }

    JdbcResource resolve(String database) throws CageException {
        return HOST_DATABASE.equals(database) ? ownDatabase() : databases.get(database);
    }

    private synchronized JdbcResource ownDatabase() throws CageException {
        if (closed) {
            throw CageException.unavailable("the host is closing; durable calls are not stored");
        }
        if (own == null) {
            try {
                Files.createDirectories(ownFile.getParent());
            } catch (java.io.IOException e) {
                throw CageException.unavailable("cannot create " + ownFile.getParent() + ": " + e.getMessage());
            }
            JsonNode config = HostJson.MAPPER.createObjectNode()
                    .put("url", "jdbc:h2:file:" + ownFile + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0") // each commit on disk: kill -9 loses none
                    .put("username", "sa").put("password", "").put("maxPoolSize", 8).put("minIdle", 0);
            own = new JdbcResources(Map.of(HOST_DATABASE, config));
            JdbcResource db = own.get(HOST_DATABASE);
            db.use(Deadline.afterMillis(30_000), c -> {
                DurableSql.createOutbox(c);
                DurableSql.createRegistry(c);
                outboxes.addAll(DurableSql.registered(c));
                return null;
            });
            outboxes.add(HOST_DATABASE);
            outboxReady.add(HOST_DATABASE);
        }
        return own.get(HOST_DATABASE);
    }

    // ---------------------------------------------------------------- looking up

    DurableCall lookup(String id) throws CageException {
        if (id == null || id.isBlank()) {
            throw CageException.badRequest("a durable call id is required");
        }
        int at = id.indexOf('@');
        String database = at < 0 ? HOST_DATABASE : id.substring(at + 1);
        Deadline deadline = context.currentDeadline();
        StoredCall call = resolve(database).use(deadline, c -> {
            DurableSql.createOutbox(c); // a lookup before anything was stored there finds nothing, not an SQL error
            return DurableSql.read(c, id);
        });
        if (call == null) {
            throw CageException.notFound("no durable call '" + id + "' is stored (never, or purged after its dedupe window of "
                    + settings.dedupeWindow().toHours() + " h)");
        }
        return call;
    }

    // ---------------------------------------------------------------- operators

    /**
     * Stored calls to {@code cage} (null: every cage) in every outbox this host relays, newest first, at most
     * {@code limit}; {@code status} (null: all) is pending, done, failed, expired or cancelled. A pending call
     * being delivered right now says {@code "inFlight": true}.
     */
    ArrayNode list(String cage, String status, int limit) throws CageException {
        if (status != null && !Set.of("pending", "done", "failed", "expired", "cancelled").contains(status)) {
            throw CageException.badRequest("status must be pending, done, failed, expired or cancelled, was '" + status + "'");
        }
        ownDatabase(); // loads the registry of outboxes when nothing was stored since the start
        ArrayNode out = HostJson.MAPPER.createArrayNode();
        Deadline deadline = Deadline.afterMillis(10_000);
        for (String database : List.copyOf(outboxes)) {
            resolve(database).use(deadline, c -> {
                DurableSql.list(c, cage, status, limit, out, inFlight);
                return null;
            });
        }
        return out;
    }

    /** Makes a stored call due now (again): a failed, expired or cancelled one gets a new expiry. False: no such call. */
    boolean retry(String id) throws CageException {
        long now = System.currentTimeMillis();
        boolean found = operate(id, c -> DurableSql.retry(c, id, now, now + settings.expiry().toMillis()));
        wake();
        return found;
    }

    /** Cancels a pending call: it is not delivered again (one in flight may still take effect). False: not pending. */
    boolean cancel(String id) throws CageException {
        return operate(id, c -> DurableSql.cancel(c, id, System.currentTimeMillis()));
    }

    private boolean operate(String id, io.cages.api.SqlWork<Boolean> work) throws CageException {
        if (id == null || id.isBlank()) {
            throw CageException.badRequest("a durable call id is required");
        }
        int at = id.indexOf('@');
        String database = at < 0 ? HOST_DATABASE : id.substring(at + 1);
        return resolve(database).use(Deadline.afterMillis(10_000), work);
    }

    /** Stored calls per (cage, status) in every outbox this host relays, and the relay's outcomes; see {@link RelayCounts}. */
    io.cages.host.admin.DurableCallCounts counts() {
        return counts.snapshot(List.copyOf(outboxes), this::resolve, inFlight.size());
    }

    // ---------------------------------------------------------------- executing once on the target

    /**
     * Runs {@code handler} once for ({@code cage}, {@code key}): claims the key in the cage's inbox on one
     * connection, lets the handler's SQL on that database join it, stores the answer and commits once. A key
     * already claimed answers what the first execution stored; a concurrent duplicate waits on the row lock.
     */
    Reply runOnce(String cage, String key, Deadline deadline, Callable<Reply> handler) throws Exception {
        String database = Objects.requireNonNullElse(settings.inboxOf(cage), HOST_DATABASE);
        JdbcResource resource = resolve(database);
        ensureInbox(database, resource, deadline);
        try (Connection c = resource.connection(deadline)) {
            c.setAutoCommit(false);
            boolean claimed;
            try {
                claimed = DurableSql.claim(c, cage, key);
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw JdbcErrors.translate(database, deadline, e);
            }
            if (!claimed) {
                rollbackQuietly(c);
                try {
                    return DurableSql.answerOf(c, cage, key);
                } finally {
                    rollbackQuietly(c);
                }
            }
            Joined previous = JOINED.get();
            Joined joined = new Joined(database, JoinedConnection.of(c, database), key, new ArrayList<>());
            JOINED.set(joined);
            Reply reply;
            try {
                reply = handler.call();
            } catch (CageException e) {
                rollbackQuietly(c);
                if (isFinal(e.code())) {
                    recordFailure(c, cage, key, e);
                }
                throw e;
            } catch (Exception | Error e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                JOINED.set(previous);
            }
            try {
                DurableSql.finish(c, cage, key, reply);
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw JdbcErrors.translate(database, deadline, e);
            }
            if (!joined.stored().isEmpty()) {
                handOff(database, joined.stored()); // the handler's own durable calls are committed now
            }
            return reply;
        }
    }

    /** A typed error retrying cannot change: recorded, so a duplicate gets it too, and the relay stops. */
    static boolean isFinal(ErrorCode code) {
        return code == ErrorCode.BAD_REQUEST || code == ErrorCode.NOT_FOUND;
    }

    private static void recordFailure(Connection c, String cage, String key, CageException e) {
        try {
            if (DurableSql.claim(c, cage, key)) {
                DurableSql.fail(c, cage, key, e);
            }
            c.commit();
        } catch (SQLException ex) {
            rollbackQuietly(c);
            LOG.warn("could not record the failure of durable call {} to cage {}; a retry runs it again", key, cage, ex);
        }
    }

    private void ensureInbox(String database, JdbcResource resource, Deadline deadline) throws CageException {
        if (inboxReady.add(database)) {
            try {
                resource.use(deadline, c -> {
                    DurableSql.createInbox(c);
                    return null;
                });
            } catch (CageException e) {
                inboxReady.remove(database);
                throw e;
            }
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed; the pool discards the connection", e);
        }
    }

    // ---------------------------------------------------------------- the relay

    /** Makes the relay read the due calls of every outbox now. */
    void wake() {
        wakeup.wake(true);
    }

    private void relayLoop() {
        if (Files.exists(ownFile.resolveSibling(ownFile.getFileName() + ".mv.db"))) {
            try {
                ownDatabase(); // calls stored before a restart, and the outbox databases they name
            } catch (CageException e) {
                LOG.warn("durable calls: cannot open the host's own database {}; retrying", ownFile, e);
            }
        }
        long lastPurge = 0;
        long nextRead = 0;
        boolean readNow = true;
        while (!closed) {
            try {
                deliverHandedOff();
                long now = System.currentTimeMillis();
                // The outboxes are read on a wake-up that asks for it, every pollMs, and when a retry is due.
                if (readNow || now >= nextRead || now >= earliestRetry.get()) {
                    earliestRetry.set(Long.MAX_VALUE);
                    for (String database : List.copyOf(outboxes)) {
                        deliverDue(database, now);
                    }
                    nextRead = now + settings.pollMs();
                }
                if (now - lastPurge > PURGE_EVERY_MS) {
                    purge(now);
                    lastPurge = now;
                }
                readNow = wakeup.await(Math.max(1, Math.min(nextRead, earliestRetry.get()) - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("durable call relay round failed; trying again", e);
                sleepQuietly(settings.pollMs());
            }
        }
    }

    private void deliverDue(String database, long now) throws InterruptedException {
        List<Due> due = new ArrayList<>();
        try {
            resolve(database).use(Deadline.afterMillis(10_000), c -> {
                try (PreparedStatement s = c.prepareStatement("SELECT id, caller, cage, operation, call_key, params, attempts,"
                        + " expires_at, error_message FROM " + DurableSql.OUTBOX + " WHERE status = 'pending' AND next_attempt_at <= ?"
                        + " ORDER BY next_attempt_at FETCH FIRST " + BATCH + " ROWS ONLY")) {
                    s.setLong(1, now);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            due.add(new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                    rs.getString(6), rs.getInt(7), rs.getLong(8), rs.getString(9)));
                        }
                    }
                }
                try (PreparedStatement s = c.prepareStatement("SELECT MIN(next_attempt_at) FROM " + DurableSql.OUTBOX
                        + " WHERE status = 'pending' AND next_attempt_at > ?")) {
                    s.setLong(1, now);
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next() && rs.getObject(1) != null) {
                            earliestRetry.accumulateAndGet(rs.getLong(1), Math::min);
                        }
                    }
                }
                return null;
            });
        } catch (CageException e) {
            LOG.warn("durable calls: cannot read the outbox of '{}': {}", database, e.getMessage());
            earliestRetry.accumulateAndGet(now + MAX_RETRY_MS, Math::min);
            return;
        }
        for (Due call : due) {
            start(database, call, now);
        }
    }

    private void deliverHandedOff() throws InterruptedException {
        long now = System.currentTimeMillis();
        for (HandedOff h; !closed && (h = handedOff.poll()) != null; ) {
            handedOffCount.decrementAndGet();
            start(h.database(), h.call(), now);
        }
    }

    /** Delivers {@code call} on a virtual thread of its own (at most {@value #MAX_IN_FLIGHT} at once), unless it is in flight. */
    private void start(String database, Due call, long now) throws InterruptedException {
        if (closed || !inFlight.add(call.id())) {
            return;
        }
        if (call.expiresAt() <= now) {
            try {
                expire(database, call);
            } finally {
                inFlight.remove(call.id());
            }
            return;
        }
        deliveries.acquire();
        Thread.ofVirtual().start(() -> {
            boolean marking = false;
            try {
                marking = deliver(database, call);
            } finally {
                if (!marking) {
                    inFlight.remove(call.id());
                }
                deliveries.release();
            }
        });
    }

    /** @return whether the call was delivered and handed to {@link DoneRecorder}, which takes it out of flight once marked */
    @SuppressWarnings("unchecked")
    private boolean deliver(String database, Due call) {
        long now = System.currentTimeMillis();
        Deadline deadline = Deadline.afterMillis(Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, call.expiresAt() - now)));
        JsonNode answer;
        try {
            Map<String, Object> params = HostJson.MAPPER.readValue(call.params(), Map.class);
            answer = context.deliverDurably(call.caller(), call.cage(), call.operation(), params, call.key(), deadline).get();
        } catch (ExecutionException e) {
            CageException failure = e.getCause() instanceof CageException c ? c
                    : CageException.internal("durable call delivery failed: " + e.getCause(), e.getCause());
            if (isFinal(failure.code())) {
                record(database, call, "failed", null, failure, 0);
            } else {
                long next = System.currentTimeMillis() + backoffMs(call.attempts());
                record(database, call, "pending", null, failure, next);
                earliestRetry.accumulateAndGet(next, Math::min);
                wakeup.wake(false); // to wait no longer than till this retry
            }
            return false;
        } catch (InterruptedException e) {
            return false; // closing: the call stays pending and is delivered after the restart
        } catch (JsonProcessingException e) {
            record(database, call, "failed", null, CageException.badRequest("stored parameters are not JSON: " + e.getMessage()), 0);
            return false;
        }
        done.add(new DoneRecorder.Mark(database, call.id(), answer, marked -> {
            if (marked) {
                counts.recorded("done");
            }
            inFlight.remove(call.id());
        }));
        return true;
    }

    /** 100 ms, doubling per attempt, at most 30 s. */
    static long backoffMs(int attemptsBefore) {
        return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(20, attemptsBefore));
    }

    /** Returns once the outcome is committed (in a commit shared with other outcomes): the call is in flight till then. */
    private void record(String database, Due call, String status, JsonNode answer, CageException error, long nextAttemptAt) {
        try {
            batchOf(database).write(Deadline.afterMillis(10_000),
                    statements -> DurableSql.record(statements.prepare(DurableSql.RECORD), call.id(), status, answer, error, nextAttemptAt,
                            System.currentTimeMillis()));
        } catch (CageException e) {
            // The row stays as it was: delivered again later, and the target answers the stored outcome.
            LOG.warn("durable call {}: cannot record its outcome in '{}': {}", call.id(), database, e.getMessage());
            return;
        }
        counts.recorded(status);
    }

    private void expire(String database, Due call) {
        CageException error = CageException.deadlineExceeded("durable call to cage '" + call.cage() + "' operation '"
                + call.operation() + "' expired after " + call.attempts() + " attempts"
                + (call.lastError() == null ? "" : "; last failure: " + call.lastError()));
        record(database, call, "expired", null, error, 0);
    }

    private void purge(long now) {
        long before = now - settings.dedupeWindow().toMillis();
        for (String database : List.copyOf(outboxes)) {
            purgeQuietly(database, c -> DurableSql.purgeOutbox(c, before));
        }
        for (String database : List.copyOf(inboxReady)) {
            purgeQuietly(database, c -> DurableSql.purgeInbox(c, before));
        }
    }

    private void purgeQuietly(String database, io.cages.api.SqlWork<Integer> work) {
        try {
            int n = resolve(database).use(Deadline.afterMillis(60_000), work);
            if (n > 0) {
                LOG.info("durable calls: purged {} finished rows older than the dedupe window from '{}'", n, database);
            }
        } catch (CageException e) {
            LOG.warn("durable calls: purge of '{}' failed: {}", database, e.getMessage());
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (relay != null) {
            relay.interrupt();
            try {
                relay.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Marks what was delivered, in the configured outbox databases; the host's own refuses writes once closing, so
        // those calls stay pending and are answered from the target's inbox when delivered again after the restart.
        done.close();
        synchronized (this) {
            if (own != null) {
                own.close();
                own = null;
            }
        }
    }
}
