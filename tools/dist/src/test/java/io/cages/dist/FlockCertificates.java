package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.cagectl.CageCtl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * A flock's CA and its hosts' certificates, made with {@code cagectl ca} as an operator makes them (the CA once,
 * a certificate per host), for tests whose hosts bind beyond loopback: such a flock starts only with a {@code tls}
 * section (secure by default), so they test the production path.
 */
final class FlockCertificates {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;

    private FlockCertificates(Path folder) {
        this.folder = folder;
    }

    /** {@code cagectl ca init} for {@code flock} into {@code folder}/ca; host certificates go beside it. */
    static FlockCertificates init(Path folder, String flock) {
        cagectl("ca", "init", "--flock", flock, "--out", folder.resolve("ca").toString());
        return new FlockCertificates(folder);
    }

    /** {@code cagectl ca issue} for {@code host}: its folder holds flock-ca.pem, host.pem and host.key. */
    Path issue(String host) {
        Path tls = folder.resolve("tls-" + host);
        cagectl("ca", "issue", "--ca", folder.resolve("ca").toString(), "--host", host, "--out", tls.toString());
        return tls;
    }

    /**
     * The top-level host.json keys giving {@code host} its certificate: {@code {"tls": {...}}}, issued on the first
     * call (a restarted host keeps its certificate).
     */
    ObjectNode hostConfig(String host) {
        Path tls = Files.isDirectory(folder.resolve("tls-" + host)) ? folder.resolve("tls-" + host) : issue(host);
        ObjectNode more = JSON.createObjectNode();
        more.putObject("tls").put("ca", tls.resolve("flock-ca.pem").toString())
                .put("cert", tls.resolve("host.pem").toString()).put("key", tls.resolve("host.key").toString());
        return more;
    }

    static void cagectl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CageCtl(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), ZoneOffset.UTC).execute(args);
        assertEquals(0, exit, "cagectl " + String.join(" ", args) + ": " + out + err);
    }
}
