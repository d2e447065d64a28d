package io.cages.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.testkit.CageHost;
import io.cages.testkit.CageTest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** hello as its author tests it: with the testing kit, on a real host, built from this project. */
@CageTest
class HelloCageTest {

    @Test
    void greetsInProcessAndOverHttp(CageHost host) throws Exception {
        assertEquals("Hello, Ada!", host.call("greet", Map.of("name", "Ada")).path("greeting").asText());
        assertEquals("Hello, world!", host.callOverHttp("greet", Map.of()).path("greeting").asText());

        HttpResponse<String> get = host.get("/hello/greet?name=Grace");
        assertEquals(200, get.statusCode(), get.body());
        assertEquals("1.0.0", get.headers().firstValue("X-Cage-Version").orElseThrow());
    }

    @Test
    void refusesBadParametersAndUnknownOperations(CageHost host) {
        CageException tooLong = assertThrows(CageException.class, () -> host.call("greet", Map.of("name", "x".repeat(201))));
        assertEquals(ErrorCode.BAD_REQUEST, tooLong.code());
        CageException unknown = assertThrows(CageException.class, () -> host.call("wave", Map.of()));
        assertEquals(ErrorCode.NOT_FOUND, unknown.code());
        assertTrue(unknown.getMessage().contains("it has greet, echo, sleep"), unknown.getMessage());
    }

    @Test
    void aSwappedBuildAnswersWithItsNewVersion(CageHost host) throws Exception {
        String version = host.swap().version();
        assertEquals(version, host.call("greet", Map.of("name", "Ada")).path("version").asText());
    }
}
