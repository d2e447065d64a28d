package io.cages.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.api.Response;
import io.cages.host.admin.DeployRecord;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The testing kit against its fixture cage: every promise of CageHost, on a real host. */
@CageTest
class CageHostTest {

    @Test
    void callsTheCageUnderTestInProcessAndOverHttp(CageHost host) throws Exception {
        assertEquals("fixture", host.cageName());
        assertEquals("Ada", host.call("echo", Map.of("name", "Ada")).path("params").path("name").asText());

        assertEquals("Ada", host.callOverHttp("echo", Map.of("name", "Ada")).path("params").path("name").asText());
        HttpResponse<String> get = host.get("/fixture/echo?name=Bo");
        assertEquals(200, get.statusCode(), get.body());
        assertTrue(get.body().contains("\"Bo\""), get.body());
    }

    @Test
    void aFailedCallThrowsTheCagesError(CageHost host) {
        CageException failure = assertThrows(CageException.class, () -> host.call("nope", Map.of()));
        assertEquals(ErrorCode.NOT_FOUND, failure.code());
    }

    @Test
    void swapServesANewBuildOfTheProject(CageHost host) throws Exception {
        String before = host.call("echo", Map.of()).path("version").asText();
        DeployRecord swap = host.swap();
        assertEquals(before, swap.previous());
        String after = host.call("echo", Map.of()).path("version").asText();
        assertNotEquals(before, after);
        assertEquals(swap.version(), after);
    }

    @Test
    void aConfigIsInForceWhenConfigReturns(CageHost host) throws Exception {
        host.config("{\"colour\": \"red\"}");
        assertEquals("red", host.call("config", Map.of()).path("colour").asText());
        host.config("{\"colour\": \"blue\"}");
        assertEquals("blue", host.call("config", Map.of()).path("colour").asText());
    }

    @Test
    void aRejectedConfigFailsWithTheHostsReasonAndTheOldStays(CageHost host) throws Exception {
        host.config("{\"colour\": \"red\"}");
        AssertionError rejected = assertThrows(AssertionError.class, () -> host.config("{\"colour\": "));
        assertTrue(rejected.getMessage().contains("fixture.json") && rejected.getMessage().contains("not valid JSON"),
                rejected.getMessage());
        assertEquals("red", host.call("config", Map.of()).path("colour").asText());
    }

    @Test
    void theCageUnderTestCallsAStubByName(CageHost host) throws Exception {
        host.stub("billing", request -> Response.of(Map.of("charged", true, "from", request.param("from"))));
        JsonNode answer = host.call("ask", Map.of("cage", "billing", "operation", "charge")).path("answer");
        assertTrue(answer.path("charged").asBoolean(), answer.toString());
        assertEquals("fixture", answer.path("from").asText());

        host.stub("billing", request -> { throw CageException.unavailable("billing is down"); });
        CageException down = assertThrows(CageException.class,
                () -> host.call("ask", Map.of("cage", "billing", "operation", "charge")));
        assertTrue(down.getMessage().contains("billing is down"), down.getMessage());
    }

    @Test
    void aStubIsCalledOverHttpToo(CageHost host) {
        host.stub("pricing", request -> Response.of(Map.of("cents", 250)));
        HttpResponse<String> response = host.get("/pricing/quote");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"cents\":250}", response.body());
    }
}
