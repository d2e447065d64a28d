package io.cages.transport.rpc;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation the RPC transport runs on: OpenSSL (BoringSSL through netty-tcnative, on the class
 * path beside Netty) where its native library loads and does TLS 1.3 with key managers, else the JDK's.
 * {@value #PROPERTY}{@code =jdk|openssl} forces one (tests run the same mutual-TLS checks on both); forcing
 * OpenSSL where it is unavailable is an error naming the cause, not a silent fallback.
 */
final class TlsProviderChoice {

    static final String PROPERTY = "cages.rpc.tls.provider";

    private TlsProviderChoice() {
    }

    /** The provider to use now, from {@value #PROPERTY} (read on every call, so a test may switch it). */
    static SslProvider choose() {
        String asked = System.getProperty(PROPERTY, "").trim();
        return switch (asked.toLowerCase(java.util.Locale.ROOT)) {
            case "" -> openSslProblem() == null ? SslProvider.OPENSSL : SslProvider.JDK;
            case "jdk" -> SslProvider.JDK;
            case "openssl" -> {
                String problem = openSslProblem();
                if (problem != null) {
                    throw new IllegalStateException(PROPERTY + "=openssl, but OpenSSL cannot be used here: " + problem);
                }
                yield SslProvider.OPENSSL;
            }
            default -> throw new IllegalArgumentException(PROPERTY + ": '" + asked
                    + "' is not one of jdk, openssl (unset: OpenSSL where it is available, else the JDK)");
        };
    }

    /** Why OpenSSL cannot serve the RPC transport here, or null when it can. */
    static String openSslProblem() {
        if (!OpenSsl.isAvailable()) {
            Throwable cause = OpenSsl.unavailabilityCause();
            return "netty-tcnative's native library is not available (" + (cause == null ? "no cause given" : cause) + ")";
        }
        if (!SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
            return OpenSsl.versionString() + " does not do TLS 1.3";
        }
        if (!OpenSsl.supportsKeyManagerFactory()) {
            return OpenSsl.versionString() + " does not take a KeyManagerFactory";
        }
        return null;
    }

    /** For the log: the provider and, for OpenSSL, the library's version. */
    static String describe(SslProvider provider) {
        return provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative)" : "JDK (" + Runtime.version() + ")";
    }
}
