package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.HealthEntry;
import io.cages.host.admin.HealthView;
import io.cages.host.spi.CageHealth;
import io.cages.host.spi.HostHealth;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status rules alone: answers, silence, departures, restarts and forgetting, on times the test gives. */
class HealthRulesTest {

    private static final long FORGET_MS = 60_000;
    private final HealthRules rules = new HealthRules(FORGET_MS);

    private static HostHealth host(String name, long startedAt, CageHealth... cages) {
        return new HostHealth(name, startedAt, List.of(cages));
    }

    private static CageHealth up(String cage) {
        return new CageHealth(cage, "1.0.0", HealthEntry.UP, null);
    }

    private HealthEntry entry(String host, String cage) {
        return rules.entries().stream().filter(e -> e.host().equals(host) && e.cage().equals(cage)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + host + "/" + cage + " in " + rules.entries()));
    }

    @Test
    void anAnswerGivesEachCageItsReportedStatus() {
        rules.answered(host("h1", 100, up("hello"),
                new CageHealth("billing", "2.0.0", HealthEntry.DEGRADED, "self-test failed: no database (IllegalStateException)"),
                new CageHealth("orders", null, HealthEntry.DOWN, "no active version")), 1_000);
        assertEquals(new HealthEntry("h1", "hello", "1.0.0", "up", null, 1_000, 1_000), entry("h1", "hello"));
        assertEquals(new HealthEntry("h1", "billing", "2.0.0", "degraded", "self-test failed: no database (IllegalStateException)", 1_000, 1_000),
                entry("h1", "billing"));
        assertEquals("down", entry("h1", "orders").status());
        assertEquals(List.of("billing", "hello", "orders"), rules.entries().stream().map(HealthEntry::cage).toList(), "sorted by host, then cage");
    }

    @Test
    void sinceIsWhenTheStatusLastChangedAndLastProbeEveryProbe() {
        rules.answered(host("h1", 100, up("hello")), 1_000);
        rules.answered(host("h1", 100, up("hello")), 2_000);
        assertEquals(1_000, entry("h1", "hello").since());
        assertEquals(2_000, entry("h1", "hello").lastProbe());
        rules.answered(host("h1", 100, new CageHealth("hello", "1.0.0", HealthEntry.DEGRADED, "self-test did not finish within 500 ms")), 3_000);
        assertEquals(3_000, entry("h1", "hello").since());
        rules.answered(host("h1", 100, up("hello")), 4_000);
        assertEquals(new HealthEntry("h1", "hello", "1.0.0", "up", null, 4_000, 4_000), entry("h1", "hello"));
    }

    @Test
    void aCageMissingFromItsHostsAnswerIsDownThere() {
        rules.answered(host("h1", 100, up("hello"), up("greeter")), 1_000);
        rules.answered(host("h1", 100, up("greeter")), 2_000);
        HealthEntry hello = entry("h1", "hello");
        assertEquals("down", hello.status());
        assertEquals("not deployed on h1 (stopped or undeployed)", hello.reason());
        assertNull(hello.version());
        assertEquals("up", entry("h1", "greeter").status());
    }

    @Test
    void aSilentHostIsDownForEveryCageItHadWithTheReason() {
        rules.answered(host("h2", 100, up("hello"), up("greeter")), 1_000);
        rules.silent("h2", "no answer within 500 ms", 2_000);
        for (String cage : List.of("hello", "greeter")) {
            HealthEntry e = entry("h2", cage);
            assertEquals("down", e.status());
            assertEquals("host h2 did not answer the health probe: no answer within 500 ms", e.reason());
            assertEquals("1.0.0", e.version(), "the version last seen stays");
            assertEquals(2_000, e.since());
        }
        rules.silent("never-seen", "connection refused", 2_000);
        assertTrue(rules.hosts().equals(java.util.Set.of("h2")), "a host never seen has no entries to mark");
    }

    @Test
    void aHostGoneFromMembershipIsDown() {
        rules.answered(host("h3", 100, up("hello")), 1_000);
        rules.gone("h3", 2_000);
        assertEquals("down", entry("h3", "hello").status());
        assertEquals("host h3 left the flock (not in the membership view)", entry("h3", "hello").reason());
    }

    @Test
    void aNewStartTimeShowsRestartedForOneProbeThenUp() {
        rules.answered(host("h1", 100, up("hello"), new CageHealth("billing", "1.0.0", HealthEntry.DEGRADED, "broken")), 1_000);
        rules.gone("h1", 2_000);
        rules.answered(host("h1", 5_000, up("hello"), new CageHealth("billing", "1.0.0", HealthEntry.DEGRADED, "broken")), 6_000);
        HealthEntry restarted = entry("h1", "hello");
        assertEquals("restarted", restarted.status());
        assertTrue(restarted.reason().startsWith("host h1 restarted (started at 1970-01-01T00:00:05Z"), restarted.reason());
        assertEquals("degraded", entry("h1", "billing").status(), "restarted never hides a problem");
        rules.answered(host("h1", 5_000, up("hello"), up("billing")), 7_000);
        assertEquals("up", entry("h1", "hello").status());
        assertEquals(7_000, entry("h1", "hello").since());
    }

    @Test
    void theFirstAnswerOfAHostIsNeverRestarted() {
        rules.answered(host("h1", 5_000, up("hello")), 6_000);
        assertEquals("up", entry("h1", "hello").status());
    }

    @Test
    void entriesDownLongerThanTheForgetTimeAreDropped() {
        rules.answered(host("h1", 100, up("hello"), up("greeter")), 1_000);
        rules.answered(host("h1", 100, up("greeter")), 2_000); // hello undeployed
        rules.answered(host("h2", 100, up("hello")), 2_000);
        rules.gone("h2", 2_000);
        rules.forget(2_000 + FORGET_MS);
        assertEquals(3, rules.entries().size(), "not yet: " + rules.entries());
        rules.forget(2_001 + FORGET_MS);
        assertEquals(List.of("h1/greeter"), rules.entries().stream().map(e -> e.host() + "/" + e.cage()).toList());
        assertEquals(java.util.Set.of("h1"), rules.hosts());
        rules.answered(host("h2", 9_000, up("hello")), 70_000);
        assertEquals("restarted", entry("h2", "hello").status(), "a host forgotten and back with a new start time restarted");
    }

    @Test
    void aViewIsReadyWhenServingAndEveryLocalCageServes() {
        HealthEntry up = new HealthEntry("h1", "hello", "1.0.0", "up", null, 1, 1);
        HealthEntry restarted = new HealthEntry("h1", "greeter", "1.0.0", "restarted", "host h1 restarted", 1, 1);
        HealthEntry elsewhereDown = new HealthEntry("h2", "hello", null, "down", "gone", 1, 1);
        HealthEntry degraded = new HealthEntry("h1", "billing", "1.0.0", "degraded", "broken", 1, 1);
        assertTrue(new HealthView("h1", "serving", 1000, 500, List.of(up, restarted, elsewhereDown)).ready(),
                "another host's problem is not this host's readiness");
        assertEquals(false, new HealthView("h1", "starting", 1000, 500, List.of(up)).ready());
        assertEquals(false, new HealthView("h1", "draining", 1000, 500, List.of(up)).ready());
        HealthView notReady = new HealthView("h1", "serving", 1000, 500, List.of(up, degraded, elsewhereDown));
        assertEquals(false, notReady.ready());
        assertEquals(List.of(degraded), notReady.localProblems());
    }
}
