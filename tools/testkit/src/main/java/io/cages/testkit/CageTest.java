package io.cages.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test of the class against a real host with the cage under test deployed: a test method takes a
 * {@link CageHost} parameter and calls the cage in-process or over HTTP.
 *
 * <pre>{@code
 * @CageTest
 * class OrdersCageTest {
 *     @Test
 *     void answers(CageHost host) throws Exception {
 *         assertEquals("ok", host.call("status", Map.of()).get("status").asText());
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets its own host (embedded Felix, the HTTP transport on free loopback ports, folders in a temp
 * directory), so tests never see each other's swaps, configs or stubs. The cage is built from the project's
 * compiled classes and its {@code bnd.bnd} with the shared cage instructions, as the cage parent builds the jar,
 * so {@code mvn test} needs no {@code package} first.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(CageHostExtension.class)
public @interface CageTest {

    /**
     * Deploy the cage under test before each test. False starts an empty host: the test deploys what it wants
     * (a test of several cages, or of a deploy that must fail).
     */
    boolean deploy() default true;
}
