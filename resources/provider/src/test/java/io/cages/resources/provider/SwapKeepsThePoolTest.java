package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.Dispatcher;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.resources.jdbc.PostgresServer;
import io.cages.testcages.store.StoreCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cage is swapped again and again while its requests keep querying PostgreSQL: the host's pool outlives
 * every version, so the database sees the same backend processes before, during and after the swaps.
 */
class SwapKeepsThePoolTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    private static final int POOL = 4;
    private static final int SWAPS = 6;

    @TempDir
    Path dir;

    @Test
    void swapsUnderDatabaseLoadOpenNoConnection() throws Exception {
        Path file = dir.resolve("resources.json");
        Files.writeString(file, """
                {"resources": {"main": {"kind": "jdbc", "url": "%s", "username": "%s", "password": "%s",
                                        "maxPoolSize": %d, "minIdle": %d}}}
                """.formatted(PG.jdbcUrl(), PG.user(), PG.password(), POOL, POOL));
        HostConfig config = HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs")).withResourcesFile(file);
        try (Host host = Host.start(config, List.of());
             Connection observer = DriverManager.getConnection(PG.jdbcUrl(), PG.user(), PG.password())) {
            host.admin().deploy(TestCages.build("store", "1.0.0", StoreCage.class), "test");
            Await.until("the pool filled to " + POOL, Duration.ofSeconds(10),
                    () -> host.admin().resources().path("main").path("total").asInt() == POOL);
            Set<Integer> before = backends(observer);
            assertEquals(POOL, before.size(), "backends before: " + before);

            Set<Integer> usedPids = ConcurrentHashMap.newKeySet();
            Map<String, AtomicInteger> byVersion = new ConcurrentHashMap<>();
            AtomicInteger failed = new AtomicInteger();
            AtomicReference<Throwable> firstFailure = new AtomicReference<>();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < POOL * 2; i++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        try {
                            JsonNode answer = query(host.dispatcher());
                            usedPids.add(answer.path("value").asInt());
                            byVersion.computeIfAbsent(answer.path("version").asText(), k -> new AtomicInteger()).incrementAndGet();
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                        }
                    }
                }));
            }
            Await.until("load running on 1.0.0", Duration.ofSeconds(10), () -> byVersion.containsKey("1.0.0"));
            for (int i = 0; i < SWAPS; i++) {
                String version = i % 2 == 0 ? "1.0.1" : "1.0.0";
                DeployRecord r = host.admin().deploy(TestCages.build("store", version, StoreCage.class), "test");
                assertTrue(r.succeeded(), r.toString());
                int seen = byVersion.getOrDefault(version, new AtomicInteger()).get();
                Await.until("requests served by " + version, Duration.ofSeconds(10),
                        () -> byVersion.get(version) != null && byVersion.get(version).get() > seen);
            }
            running.set(false);
            for (Thread t : clients) {
                t.join(10_000);
            }
            assertTrue(host.awaitRetirements(Duration.ofSeconds(30)));
            Set<Integer> after = backends(observer);
            System.out.printf("%d swaps under load: calls by version %s, %d failed; backends before %s, used %s, after %s%n",
                    SWAPS, byVersion, failed.get(), before, new TreeSet<>(usedPids), after);

            assertEquals(0, failed.get(), "no request failed: " + firstFailure.get());
            assertEquals(before, after, "the same backend processes before and after the swaps");
            assertTrue(before.containsAll(usedPids), "every request ran on a connection opened before the swaps: " + usedPids);
            assertEquals(POOL, host.admin().resources().path("main").path("total").asInt());
        }
    }

    private static JsonNode query(Dispatcher d) throws Exception {
        return d.dispatch(new InboundRequest(d.newRequestId(), "store", "query",
                        Map.of("db", "main", "sql", "SELECT pg_backend_pid()"), null, null, null, "test", null))
                .get(10, TimeUnit.SECONDS).value();
    }

    /** Client backends of the test user other than the observer's own. */
    private static Set<Integer> backends(Connection observer) throws Exception {
        Set<Integer> pids = new TreeSet<>();
        try (Statement s = observer.createStatement();
             ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' "
                     + "AND usename = current_user AND pid <> pg_backend_pid()")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }
}
