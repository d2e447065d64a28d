package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ViewsTest {

    private static final ZoneId UTC = ZoneOffset.UTC;

    private static JsonNode json(String s) {
        return Json.tryParse(s);
    }

    @Test
    void cagesTableShowsOneLinePerVersion() {
        JsonNode cages = json("""
                [{"name":"hello","activeVersion":"1.0.1","running":3,"queued":0,
                  "versions":[{"version":"1.0.1","bundleId":12,"state":"ACTIVE","inFlight":2},
                              {"version":"1.0.0","bundleId":9,"state":"DRAINING","inFlight":1}],
                  "source":"deploy/hello-1.0.1.jar"},
                 {"name":"greeter","activeVersion":null,"running":0,"queued":12,"versions":[],"source":null}]
                """);
        assertEquals("""
                CAGE     ACTIVE  RUNNING  QUEUED  VERSIONS                     SOURCE
                hello    1.0.1         3       0  1.0.1 ACTIVE, 2 in flight    deploy/hello-1.0.1.jar
                                                  1.0.0 DRAINING, 1 in flight
                greeter  -             0      12  -                            -
                """, Views.cages(cages));
    }

    @Test
    void emptyListsSaySo() {
        assertEquals("no cages deployed\n", Views.cages(json("[]")));
        assertEquals("no deploys yet\n", Views.history(json("[]"), UTC));
        assertEquals("no config problems\n", Views.problems(json("[]"), UTC));
    }

    @Test
    void historyTableFormatsTimesAndKeepsReasonsOnOneLine() {
        JsonNode history = json("""
                [{"seq":1,"at":"2025-03-01T10:15:30.123Z","action":"DEPLOY","cage":"hello","version":"1.0.0",
                  "previous":null,"origin":"folder:hello-1.0.0.jar","outcome":"ACTIVE","reason":null,"durationMs":42},
                 {"seq":2,"at":1740824130.5,"action":"UPDATE","cage":"hello","version":"1.0.1",
                  "previous":"1.0.0","origin":"cagectl:ops","outcome":"FAILED",
                  "reason":"self-test failed:\\n  boom","durationMs":1234}]
                """);
        assertEquals("""
                SEQ  TIME                 ACTION  CAGE   VERSION  WAS    OUTCOME    MS  ORIGIN                  REASON
                  1  2025-03-01 10:15:30  DEPLOY  hello  1.0.0    -      ACTIVE     42  folder:hello-1.0.0.jar  -
                  2  2025-03-01 10:15:30  UPDATE  hello  1.0.1    1.0.0  FAILED   1234  cagectl:ops             self-test failed: boom
                """, Views.history(history, UTC));
    }

    @Test
    void problemsTable() {
        JsonNode problems = json("""
                [{"file":"configs/cages/hello.json","reason":"unknown key 'tiemout'","at":"2025-03-01T10:15:30Z"}]
                """);
        assertEquals("""
                FILE                      SINCE                REASON
                configs/cages/hello.json  2025-03-01 10:15:30  unknown key 'tiemout'
                """, Views.problems(problems, UTC));
    }

    @Test
    void resourcesTable() {
        JsonNode resources = json("""
                {"inventory":{"kind":"jdbc","active":1,"idle":2,"total":3,"waiting":0,"max":8},
                 "events":{"kind":"jms","brokerUrl":"vm://0","openConnections":1,"leasedSessions":0,"maxConnections":2,"maxSessionsPerConnection":16}}
                """);
        assertEquals("""
                RESOURCE   KIND      IN USE  IDLE  WAITING     MAX  TARGET
                inventory  jdbc           1     2        0       8  -
                events     jms   0 sessions     -        -  2 x 16  vm://0
                """, Views.resources(resources));
        assertEquals("no resources configured\n", Views.resources(json("{}")));
    }

    @Test
    void timesInEveryShape() {
        assertEquals("2025-03-01 10:15:30", Text.time(json("\"2025-03-01T10:15:30Z\""), UTC));
        assertEquals("2025-03-01 10:15:30", Text.time(json("1740824130"), UTC));
        assertEquals("2025-03-01 10:15:30", Text.time(json("1740824130999"), UTC));
        assertEquals("2025-03-01 11:15:30", Text.time(json("\"2025-03-01T10:15:30Z\""), ZoneOffset.ofHours(1)));
        assertEquals("yesterday", Text.time(json("\"yesterday\""), UTC));
        assertEquals("-", Text.time(json("null"), UTC));
        assertEquals("-", Text.time(null, UTC));
    }

    @Test
    void lastTakesTheNewestEntries() {
        JsonNode all = json("[1,2,3,4]");
        assertEquals("[3,4]", Views.last(all, 2).toString());
        assertEquals("[1,2,3,4]", Views.last(all, 10).toString());
        assertEquals("[1,2,3,4]", Views.last(all, null).toString());
    }

    @Test
    void cellsAreOneLine() {
        assertEquals("a b c", Text.cell("  a\n b\r\n\tc "));
        assertEquals("-", Text.cell("  "));
        assertTrue(Text.abbreviate("x".repeat(300), 20).endsWith("..."));
        assertEquals(20, Text.abbreviate("x".repeat(300), 20).length());
    }
}
