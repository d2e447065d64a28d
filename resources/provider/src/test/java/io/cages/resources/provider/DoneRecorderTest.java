package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.spi.HostJson;
import io.cages.host.testing.Await;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.JdbcResources;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivered calls are marked done off the delivering thread, many in one commit, and what is queued at close is marked. */
class DoneRecorderTest {

    @TempDir
    Path dir;
    JdbcResources pools;
    JdbcResource db;
    BatchedCommit batch;
    final Map<String, Boolean> recorded = new ConcurrentHashMap<>();

    @BeforeEach
    void open() throws Exception {
        pools = new JdbcResources(Map.of("db", HostJson.MAPPER.createObjectNode()
                .put("url", "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath() + ";WRITE_DELAY=0")
                .put("username", "sa").put("password", "").put("maxPoolSize", 4)));
        db = pools.get("db");
        db.use(Deadline.afterMillis(10_000), c -> {
            DurableSql.createOutbox(c);
            try (Statement s = c.createStatement()) {
                for (int i = 0; i < 200; i++) {
                    s.execute("INSERT INTO " + DurableSql.OUTBOX + " (id, caller, cage, operation, call_key, params, status, attempts,"
                            + " created_at, next_attempt_at, expires_at) VALUES ('c" + i + "', 'a', 'b', 'op', 'k" + i + "', '{}', 'pending', 0, 1, 1, "
                            + Long.MAX_VALUE + ")");
                }
            }
            return null;
        });
        batch = new BatchedCommit("db", name -> db);
    }

    @AfterEach
    void close() {
        pools.close();
    }

    private DoneRecorder.Mark mark(String id) {
        return new DoneRecorder.Mark("db", id, HostJson.MAPPER.createObjectNode().put("ok", id), ok -> recorded.put(id, ok));
    }

    private int done() throws CageException {
        return db.use(Deadline.afterMillis(10_000), c -> {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + DurableSql.OUTBOX + " WHERE status = 'done' AND answer IS NOT NULL")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Test
    void marksAddedTogetherShareACommitAndEachIsToldOnceItCommitted() throws Exception {
        DoneRecorder recorder = new DoneRecorder(name -> batch);
        try {
            for (int i = 0; i < 100; i++) {
                recorder.add(mark("c" + i));
            }
            Await.until("100 marks recorded", Duration.ofSeconds(10), () -> recorded.size() == 100);
            assertTrue(recorded.values().stream().allMatch(ok -> ok), recorded.toString());
            assertEquals(100, done());
            assertTrue(batch.commits() <= 10, "marks queued within the linger share commits: " + batch.commits() + " commits for 100");
        } finally {
            recorder.close();
        }
    }

    @Test
    void closeMarksWhatIsQueued() throws Exception {
        DoneRecorder recorder = new DoneRecorder(name -> batch);
        for (int i = 0; i < 150; i++) {
            recorder.add(mark("c" + i));
        }
        recorder.close();
        assertEquals(150, recorded.size());
        assertEquals(150, done());
    }

    @Test
    void aMarkThatCannotBeWrittenIsToldSoAndTheCallStaysPending() throws Exception {
        DoneRecorder recorder = new DoneRecorder(name -> {
            throw new IllegalStateException("no such database " + name);
        });
        try {
            recorder.add(mark("c1"));
            Await.until("the mark's outcome", Duration.ofSeconds(10), () -> recorded.containsKey("c1"));
            assertEquals(false, recorded.get("c1"));
            assertEquals(0, done());
        } finally {
            recorder.close();
        }
    }
}
