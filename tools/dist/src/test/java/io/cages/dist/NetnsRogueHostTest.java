package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.cagectl.CageCtl;
import io.cages.host.testing.Await;
import io.cages.transport.rpc.internal.RogueRpcCall;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's rogue hosts, each in its own network namespace on the bridged LAN ({@code tools/netns/flock-net}):
 * two hosts with certificates from the flock's CA ({@code cagectl ca}) form the flock; a host with a self-signed
 * certificate and one with a certificate from another flock's CA (naming the same flock) start beside them. Neither
 * joins, neither reads the directory, neither gets a raw RPC call through the handshake, and the good hosts log
 * each refusal; a plain-TCP client sending a valid frame is refused too. Needs root, as {@link NetnsFlockTest}.
 */
class NetnsRogueHostTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RPC_PORT = 7070; // NetnsLan.flockTransports

    @TempDir
    Path dir;
    final List<HostProcess> hosts = new ArrayList<>();

    private NetnsLan lan;
    private String flock;

    @BeforeEach
    void start() throws Exception {
        lan = NetnsLan.up(4);
        flock = "rogue-" + UUID.randomUUID().toString().substring(0, 8);
        cagectl("ca", "init", "--flock", flock, "--out", dir.resolve("ca").toString());
        cagectl("ca", "init", "--flock", flock, "--out", dir.resolve("other-ca").toString()); // another flock's CA, same name
        for (int i = 1; i <= 2; i++) {
            cagectl("ca", "issue", "--ca", dir.resolve("ca").toString(), "--host", "n" + i, "--out", tlsDir("n" + i).toString());
        }
        cagectl("ca", "issue", "--ca", dir.resolve("other-ca").toString(), "--host", "rogue-other-ca", "--out", tlsDir("rogue-other-ca").toString());
        selfSigned("rogue-self", tlsDir("rogue-self"));

        for (int i = 1; i <= 2; i++) {
            hosts.add(host("n" + i, i));
        }
    }

    @AfterEach
    void stop() throws Exception {
        NetnsLan.stop(hosts, lan);
    }

    @Test
    void rogueHostsCanNeitherJoinNorReadTheDirectoryNorCallACage() throws Exception {
        HostProcess n1 = hosts.get(0);
        HostProcess n2 = hosts.get(1);
        Await.until("the two hosts of the flock's CA form the flock", Duration.ofSeconds(30),
                () -> n1.flockMembers().equals(Set.of("n1", "n2")) && n2.flockMembers().equals(Set.of("n1", "n2")));

        // Both at once: a refused joiner waits out its JOIN attempts before it starts as a flock of one.
        CompletableFuture<HostProcess> startingOtherCa = CompletableFuture.supplyAsync(() -> {
            try {
                return host("rogue-other-ca", 4);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        HostProcess self = null;
        try {
            self = host("rogue-self", 3);
        } finally {
            if (self != null) {
                hosts.add(self);
            }
            try {
                hosts.add(startingOtherCa.join()); // joined even when the other failed, so that teardown stops it
            } catch (CompletionException failed) {
                if (self != null) {
                    throw failed;
                }
            }
        }
        HostProcess otherCa = hosts.get(3);

        // Joining: each rogue's attempt is refused and logged by the flock, which goes on listing only its two.
        for (String rogue : List.of("rogue-self", "rogue-other-ca")) {
            Await.until("the flock logs refusing " + rogue + "'s join", Duration.ofSeconds(20),
                    () -> goodLogs().anyMatch(l -> l.contains("refused " + rogue + " in flock '" + flock + "'")
                            && l.contains("is not issued by this flock's CA")));
        }
        assertEquals(Set.of("n1", "n2"), n1.flockMembers(), "no rogue in n1's directory");
        assertEquals(Set.of("n1", "n2"), n2.flockMembers(), "no rogue in n2's directory");
        // Reading the directory: each rogue's own lists only itself.
        assertEquals(Set.of("rogue-self"), self.flockMembers(), "the self-signed rogue reads no directory entry");
        assertEquals(Set.of("rogue-other-ca"), otherCa.flockMembers(), "the other CA's rogue reads no directory entry");

        // Calling a cage: a raw RPC call from each rogue's namespace, with its certificate, fails in the handshake:
        // the rogue presents its certificate (even where the server names no CA of it) and n1 refuses it: its chain
        // leads to no CA of the flock (the JDK logs "(certificate_unknown) PKIX path ...", OpenSSL "General
        // OpenSslEngine problem (PKIX path validation failed ...)").
        for (int ns : List.of(3, 4)) {
            String rogue = ns == 3 ? "rogue-self" : "rogue-other-ca";
            String outcome = rogueCallFromNamespace(ns, rogue, n1.address);
            assertTrue(outcome.startsWith("REFUSED"), rogue + "'s RPC call: " + outcome);
            String from = "rpc refused a connection from /" + NetnsLan.address(ns) + ":";
            try {
                Await.until("n1 logs refusing " + rogue + "'s RPC connection", Duration.ofSeconds(10),
                        () -> logLines(n1).anyMatch(l -> l.contains(from) && l.contains("PKIX path")));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; n1 logged: " + logLines(n1).filter(l -> l.contains("rpc refused")).toList(), e);
            }
        }

        // A plain-TCP client (the test, on the LAN) sending a valid frame is refused too.
        String plain = RogueRpcCall.plain(n2.address, RPC_PORT);
        assertTrue(plain.startsWith("REFUSED"), "plain TCP call: " + plain);
        String from = "rpc refused a connection from /10.213.7.254:";
        Await.until("n2 logs refusing the plain-TCP connection", Duration.ofSeconds(10), () -> logLines(n2).anyMatch(l -> l.contains(from) && l.contains("not TLS")));

        assertEquals(Set.of("n1", "n2"), n1.flockMembers(), "still no rogue in the directory");
        goodLogs().filter(l -> l.contains("refused")).distinct().forEach(l -> System.out.println("netns rogue: " + l));
    }

    private HostProcess host(String name, int ns) throws Exception {
        Path tls = tlsDir(name);
        ObjectNode more = JSON.createObjectNode();
        more.putObject("tls").put("ca", tls.resolve("flock-ca.pem").toString())
                .put("cert", tls.resolve("host.pem").toString()).put("key", tls.resolve("host.key").toString());
        return HostProcess.start(name, dir.resolve(name), Map.of("hello", RunningHost.example("hello")),
                NetnsLan.flockTransports(flock, ns, 1_200, 3_000), NetnsLan.exec(ns), NetnsLan.address(ns), null, more);
    }

    private Path tlsDir(String host) {
        return dir.resolve("tls-" + host);
    }

    /** Runs {@link RogueRpcCall} in namespace {@code ns} with the rogue's files, against {@code target}'s RPC port. */
    private String rogueCallFromNamespace(int ns, String rogue, String target) throws Exception {
        List<String> command = new ArrayList<>(NetnsLan.exec(ns));
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-Djava.net.preferIPv4Stack=true",
                "-cp", HostProcess.LIB.toAbsolutePath() + "/*" + File.pathSeparator + Path.of(RogueRpcCall.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                RogueRpcCall.class.getName(), "tls", target, Integer.toString(RPC_PORT), tlsDir(rogue).toString(), rogue, flock));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the rogue call did not end: " + out);
        return out.strip().isEmpty() ? "no outcome (exit " + process.exitValue() + ")" : lastLine(out) + " (exit " + process.exitValue() + ")";
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    private Stream<String> goodLogs() {
        return Stream.concat(logLines(hosts.get(0)), logLines(hosts.get(1)));
    }

    /** The host's console log and its log files. */
    private static Stream<String> logLines(HostProcess host) {
        List<String> lines = new ArrayList<>(host.log().lines().toList());
        Path logs = host.dir.resolve("logs");
        if (Files.isDirectory(logs)) {
            try (Stream<Path> files = Files.list(logs)) {
                for (Path file : files.toList()) {
                    lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new AssertionError("cannot read the logs of " + host.name + ": " + e, e);
            }
        }
        return lines.stream();
    }

    private static void cagectl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CageCtl(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), ZoneOffset.UTC).execute(args);
        assertEquals(0, exit, "cagectl " + String.join(" ", args) + ": " + out + err);
    }

    /** A self-signed certificate naming {@code host} of this flock (and its own CA bundle): trusted by nobody else. */
    private void selfSigned(String host, Path folder) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, flock).addRDN(BCStyle.CN, host).build();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
        builder.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        Files.createDirectories(folder);
        String pem = pem("CERTIFICATE", certificate.getEncoded());
        Files.writeString(folder.resolve("host.pem"), pem);
        Files.writeString(folder.resolve("flock-ca.pem"), pem);
        Files.writeString(folder.resolve("host.key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
