package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.spi.HostJson;
import io.cages.host.testing.Await;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.JdbcResources;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit of durable-call writes on an H2 file database: writers queued during a commit share the next
 * one, each returns only after it, and a write that fails in a shared batch fails alone.
 */
class BatchedCommitTest {

    @TempDir
    Path dir;
    JdbcResources pools;
    JdbcResource db;
    BatchedCommit batch;

    @BeforeEach
    void open() throws Exception {
        pools = new JdbcResources(Map.of("db", HostJson.MAPPER.createObjectNode()
                .put("url", "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath() + ";WRITE_DELAY=0")
                .put("username", "sa").put("password", "").put("maxPoolSize", 4)));
        db = pools.get("db");
        db.use(Deadline.afterMillis(10_000), c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id VARCHAR(20) PRIMARY KEY)");
            }
            return null;
        });
        batch = new BatchedCommit("db", name -> db);
    }

    @AfterEach
    void close() {
        pools.close();
    }

    private static BatchedCommit.Write insert(String id) {
        return statements -> {
            PreparedStatement s = statements.prepare("INSERT INTO t (id) VALUES (?)");
            s.setString(1, id);
            s.executeUpdate();
        };
    }

    private Set<String> rows() throws Exception {
        return db.use(Deadline.afterMillis(10_000), c -> {
            Set<String> ids = new TreeSet<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM t")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        });
    }

    /**
     * A first write holds the commit open while ten writers queue; they then share one commit, and each of them
     * sees its row committed when it returns. One of them inserts a duplicate key: it alone gets the error.
     */
    private Map<String, Object> queueTenBehindAHeldCommit(String duplicate) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = Thread.ofVirtual().start(() -> {
            try {
                batch.write(Deadline.afterMillis(30_000), statements -> {
                    insert("first").apply(statements);
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new SQLException(e);
                    }
                });
            } catch (CageException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = "w-" + i;
            String key = id.equals(duplicate) ? "first" : id;
            writers.add(Thread.ofVirtual().start(() -> {
                try {
                    batch.write(Deadline.afterMillis(30_000), insert(key));
                    outcomes.put(id, rows().contains(key) ? "committed" : "returned before its commit");
                } catch (Exception e) {
                    outcomes.put(id, e);
                }
            }));
        }
        Await.until("ten writers queued behind the held commit", Duration.ofSeconds(10), () -> batch.queued() == 10);
        release.countDown();
        first.join();
        for (Thread w : writers) {
            w.join();
        }
        return outcomes;
    }

    @Test
    void writersQueuedDuringACommitShareTheNextOne() throws Exception {
        Map<String, Object> outcomes = queueTenBehindAHeldCommit(null);
        for (int i = 0; i < 10; i++) {
            assertEquals("committed", outcomes.get("w-" + i), "w-" + i);
        }
        assertEquals(11, rows().size());
        assertEquals(2, batch.commits(), "the held commit, then one for the ten queued writers");
        assertEquals(11, batch.writes());
    }

    @Test
    void aFailingWriteInABatchFailsAloneAndTheOthersCommit() throws Exception {
        Map<String, Object> outcomes = queueTenBehindAHeldCommit("w-3");
        CageException failed = (CageException) outcomes.get("w-3");
        assertEquals(ErrorCode.INTERNAL, failed.code());
        assertTrue(failed.getMessage().contains("SQLState 23505"), failed.getMessage());
        for (int i = 0; i < 10; i++) {
            if (i != 3) {
                assertEquals("committed", outcomes.get("w-" + i), "w-" + i);
            }
        }
        Set<String> expected = new TreeSet<>(List.of("first", "w-0", "w-1", "w-2", "w-4", "w-5", "w-6", "w-7", "w-8", "w-9"));
        assertEquals(expected, rows());
        assertEquals(1 + 9, batch.commits(), "the held commit, then each of the other nine alone after the failed batch");
    }

    @Test
    void manyConcurrentWritersAllCommitOnce() throws Exception {
        List<Thread> writers = new ArrayList<>();
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        for (int t = 0; t < 16; t++) {
            int writer = t;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 50; i++) {
                    try {
                        batch.write(Deadline.afterMillis(30_000), insert(writer + "-" + i));
                    } catch (CageException e) {
                        failures.put(writer + "-" + i, e);
                    }
                }
            }));
        }
        for (Thread w : writers) {
            w.join();
        }
        assertEquals(Map.of(), failures);
        assertEquals(800, rows().size());
        assertEquals(800, batch.writes());
        assertTrue(batch.commits() <= 800, "at most one commit per write: " + batch.commits());
    }
}
