package io.cages.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.admin.DeployRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code @CageTest(deploy = false)}: the host starts empty and the test deploys what it wants. */
@CageTest(deploy = false)
class EmptyCageHostTest {

    @Test
    void theHostStartsWithoutTheCageUnderTest(CageHost host) throws Exception {
        assertTrue(host.host().admin().cages().isEmpty(), host.host().admin().cages().toString());
        CageException missing = assertThrows(CageException.class, () -> host.call("echo", Map.of()));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());

        assertEquals(DeployRecord.Outcome.ACTIVE, host.deploy(host.project().build()).outcome());
        assertNotNull(host.call("echo", Map.of()).get("version"));
    }

    @Test
    void aJarThatIsNoCageFailsWithAReasonAndNothingChanges(CageHost host) {
        DeployRecord failed = host.deploy("not a jar".getBytes(StandardCharsets.UTF_8));
        assertEquals(DeployRecord.Outcome.FAILED, failed.outcome());
        assertNotNull(failed.reason());
        assertTrue(host.host().admin().cages().isEmpty());
    }
}
