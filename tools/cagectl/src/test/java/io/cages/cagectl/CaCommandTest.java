package io.cages.cagectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.transport.rpc.HostCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cagectl ca init and ca issue make files the RPC transport's mutual TLS accepts as they are. */
class CaCommandTest {

    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CageCtl(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), ZoneOffset.UTC).execute(args);
    }

    @Test
    void initThenIssueMakeCredentialsTheTransportAccepts() throws Exception {
        Path ca = dir.resolve("ca");
        Path h1 = dir.resolve("h1");
        assertEquals(ExitCodes.OK, run("ca", "init", "--flock", "payments", "--out", ca.toString()), err.toString());
        assertEquals(ExitCodes.OK, run("ca", "issue", "--ca", ca.toString(), "--host", "h1", "--out", h1.toString()), err.toString());
        assertTrue(out.toString().contains("host certificate CN=h1,O=payments"), out.toString());

        HostCredentials credentials = HostCredentials.load(h1.resolve("flock-ca.pem"), h1.resolve("host.pem"), h1.resolve("host.key"), "h1", "payments");
        assertEquals("h1", HostCredentials.hostOf(credentials.certificate()));
        assertEquals(java.util.List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), credentials.certificate().getExtendedKeyUsage());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.resolve("flock-ca.key"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(h1.resolve("host.key"))));
    }

    @Test
    void aCaIsNeverOverwrittenAndMissingOptionsAreUsageErrors() {
        Path ca = dir.resolve("ca");
        assertEquals(ExitCodes.OK, run("ca", "init", "--flock", "payments", "--out", ca.toString()));
        assertEquals(ExitCodes.FAILED, run("ca", "init", "--flock", "payments", "--out", ca.toString()));
        assertTrue(err.toString().contains(ca.resolve("flock-ca.key") + " exists; a CA is not overwritten"), err.toString());
        assertEquals(ExitCodes.USAGE, run("ca", "init", "--out", ca.toString()));
        assertTrue(err.toString().contains("ca init needs '--flock'"), err.toString());
        assertEquals(ExitCodes.USAGE, run("ca", "issue", "--ca", ca.toString(), "--host", "a,b", "--out", dir.toString()));
        assertEquals(ExitCodes.USAGE, run("ca", "renew"));
        assertTrue(err.toString().contains("unknown action 'renew' (init or issue)"), err.toString());
        assertEquals(ExitCodes.FAILED, run("ca", "issue", "--ca", dir.resolve("none").toString(), "--host", "h1", "--out", dir.toString()));
    }
}
