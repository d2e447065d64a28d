package io.cages.transport.rpc.internal;

import io.cages.transport.rpc.HostCredentials;
import io.cages.transport.rpc.RpcSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * A raw RPC call as a rogue makes it: a socket (plain TCP, or TLS 1.3 with the rogue's own certificate and
 * trusting any server) that sends one valid REQUEST frame and reads. Its outcome is {@code REFUSED ...} (the
 * connection failed or ended with no answer) or {@code ANSWERED ...}. Lives in the RPC codec's package for the
 * frame encoder; runs in the test JVM or, through {@link #main}, in a rogue's network namespace.
 */
public final class RogueRpcCall {

    private RogueRpcCall() {
    }

    /** {@code plain HOST PORT} or {@code tls HOST PORT TLS_DIR HOST_NAME FLOCK}: prints the outcome; exit 3 when answered. */
    public static void main(String[] args) {
        String outcome = "tls".equals(args[0])
                ? tls(args[1], Integer.parseInt(args[2]), Path.of(args[3]), args[4], args[5])
                : plain(args[1], Integer.parseInt(args[2]));
        System.out.println(outcome);
        System.exit(outcome.startsWith("REFUSED") ? 0 : 3);
    }

    public static String plain(String host, int port) {
        try {
            return exchange(new Socket(host, port));
        } catch (IOException e) {
            return "REFUSED connect: " + e;
        }
    }

    /** With the files {@code flock-ca.pem}, {@code host.pem}, {@code host.key} in {@code tlsDir}. */
    public static String tls(String host, int port, Path tlsDir, String hostName, String flock) {
        try {
            HostCredentials rogue = HostCredentials.load(tlsDir.resolve("flock-ca.pem"), tlsDir.resolve("host.pem"),
                    tlsDir.resolve("host.key"), hostName, flock);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(new KeyManager[] {new AlwaysPresenting((X509ExtendedKeyManager) rogue.keyManagerFactory().getKeyManagers()[0])},
                    new TrustManager[] {new TrustingAnyServer()}, null);
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            return exchange(socket);
        } catch (IOException e) {
            return "REFUSED connect: " + e;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String exchange(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            if (socket instanceof SSLSocket ssl) {
                ssl.startHandshake(); // in TLS 1.3 the client's side completes before the server checked its certificate
            }
            socket.getOutputStream().write(request());
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            int first = in.read();
            return first < 0 ? "REFUSED closed with no answer" : "ANSWERED (first byte " + first + ")";
        } catch (IOException e) {
            return "REFUSED " + e;
        }
    }

    private static byte[] request() {
        ByteBuf buf = FrameCodec.encode(ByteBufAllocator.DEFAULT, new Frame.Request(1, false, 5_000, "hello", "hello", "hello",
                null, null, Map.of(), null, null), RpcSettings.DEFAULT_MAX_FRAME_BYTES);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /**
     * Presents the rogue's certificate even when the server's list of accepted CAs does not name its issuer (the
     * JDK's key manager would then send none): a rogue tries its certificate anyway.
     */
    private static final class AlwaysPresenting extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;
        private final String alias;

        AlwaysPresenting(X509ExtendedKeyManager keys) {
            this.keys = keys;
            this.alias = keys.getClientAliases("EC", null)[0];
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {alias};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String name) {
            return keys.getCertificateChain(name);
        }

        @Override
        public PrivateKey getPrivateKey(String name) {
            return keys.getPrivateKey(name);
        }
    }

    /** A rogue trusts whatever answers: the point is what the server does with the rogue. */
    private static final class TrustingAnyServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
