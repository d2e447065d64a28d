package io.cages.examples.greeter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.testkit.CageHost;
import io.cages.testkit.CageTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** greeter's typed parameters and live config, with the testing kit (the end-to-end HTTP test stays in tools/dist). */
@CageTest
class GreeterCageTest {

    private static final Map<String, String> ADA_IN_SPANISH = Map.of("name", "Ada", "language", "es");

    @Test
    void followsItsConfigLive(CageHost host) throws Exception {
        host.config("{\"greetings\": {\"en\": \"Hello\", \"fr\": \"Bonjour\"}, \"defaultLanguage\": \"en\"}");
        assertEquals("Bonjour, Ada!", host.call("greet", Map.of("name", "Ada", "language", "fr")).path("greeting").asText());
        CageException spanish = assertThrows(CageException.class, () -> host.call("greet", ADA_IN_SPANISH));
        assertEquals(ErrorCode.BAD_REQUEST, spanish.code());
        assertTrue(spanish.getMessage().contains("language 'es' is not configured"), spanish.getMessage());

        host.config("{\"greetings\": {\"en\": \"Hello\", \"es\": \"Hola\"}, \"defaultLanguage\": \"en\"}");
        assertEquals("Hola, Ada!", host.call("greet", ADA_IN_SPANISH).path("greeting").asText());
    }

    @Test
    void aBrokenConfigIsRejectedAndThePreviousStaysInForce(CageHost host) throws Exception {
        host.config("{\"greetings\": {\"es\": \"Hola\"}, \"defaultLanguage\": \"es\"}");
        AssertionError rejected = assertThrows(AssertionError.class, () -> host.config("{\"greetings\": "));
        assertTrue(rejected.getMessage().contains("not valid JSON"), rejected.getMessage());
        assertEquals("Hola, Ada!", host.callOverHttp("greet", ADA_IN_SPANISH).path("greeting").asText());
    }
}
