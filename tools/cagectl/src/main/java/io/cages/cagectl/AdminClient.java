package io.cages.cagectl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Talks HTTP to the host's admin API. Every failure to get an answer becomes a {@link CageCtlException}
 * with exit code {@link ExitCodes#UNREACHABLE} and a one-line reason; any HTTP answer, whatever its status,
 * is returned to the caller.
 *
 * <p>Uses {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: a client starts a selector thread and
 * builds the default SSL context (loading the JDK's CA certificates) even for plain {@code http://}, ~0.1 s of a
 * run that should take 0.3 s in all; one request per run needs none of that.
 */
public final class AdminClient implements AutoCloseable {

    /** One HTTP answer from the admin API. */
    public record Response(int status, String body) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final URI base;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    /** Sent as a Bearer token on every request when not null. */
    private final String token;

    public AdminClient(URI base, Duration connectTimeout, Duration requestTimeout) {
        this(base, connectTimeout, requestTimeout, null);
    }

    /** A client that sends {@code Authorization: Bearer <token>} (none when {@code token} is null). */
    public AdminClient(URI base, Duration connectTimeout, Duration requestTimeout, String token) {
        this.base = base;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.token = token;
    }

    /**
     * Checks and normalises an admin URL given by the user: http or https, a host, no trailing slash.
     *
     * @throws CageCtlException with {@link ExitCodes#USAGE} when it is not a usable URL
     */
    public static URI parseBaseUrl(String url) {
        String trimmed = url == null ? "" : url.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            URI uri = new URI(trimmed);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // fall through to the usage error below
        }
        throw new CageCtlException(ExitCodes.USAGE,
                "invalid admin URL '" + url + "': expected something like http://127.0.0.1:8081");
    }

    public URI base() {
        return base;
    }

    /** {@code GET path}. */
    public Response get(String path) {
        return send("GET", path, null, null);
    }

    /** {@code POST path} with an empty body. */
    public Response post(String pathAndQuery) {
        return send("POST", pathAndQuery, null, null);
    }

    /** {@code POST path} with the bytes of {@code file} as the body. */
    public Response postFile(String pathAndQuery, Path file, String contentType) {
        return send("POST", pathAndQuery, file, contentType);
    }

    private Response send(String method, String pathAndQuery, Path file, String contentType) {
        HttpURLConnection connection = null;
        boolean connected = false;
        try {
            connection = (HttpURLConnection) URI.create(base + pathAndQuery).toURL().openConnection(Proxy.NO_PROXY);
            connection.setRequestMethod(method);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setConnectTimeout(millis(connectTimeout));
            connection.setReadTimeout(millis(requestTimeout));
            connection.setRequestProperty("Accept", "application/json");
            if (token != null) {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            if (method.equals("POST")) {
                connection.setDoOutput(true);
                if (contentType != null) {
                    connection.setRequestProperty("Content-Type", contentType);
                }
                connection.setFixedLengthStreamingMode(file == null ? 0 : size(file));
            }
            connection.connect();
            connected = true;
            if (method.equals("POST")) {
                try (OutputStream body = connection.getOutputStream()) {
                    if (file != null) {
                        Files.copy(file, body);
                    }
                }
            }
            int status = connection.getResponseCode();
            return new Response(status, body(connection, status));
        } catch (CageCtlException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            if (!connected) {
                throw unreachable("no connection within " + seconds(connectTimeout));
            }
            throw new CageCtlException(ExitCodes.UNREACHABLE, "the admin API at " + base + " did not answer within "
                    + seconds(requestTimeout) + " (the operation may still complete; check 'cagectl history')");
        } catch (IOException | RuntimeException e) {
            throw unreachable(reason(e));
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new CageCtlException(ExitCodes.USAGE, "cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new CageCtlException(ExitCodes.USAGE, "cannot read " + file + ": " + reason(e));
        }
    }

    /** The answer's body; an error status has it on the error stream, which may be absent. */
    private static String body(HttpURLConnection connection, int status) throws IOException {
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private CageCtlException unreachable(String reason) {
        return new CageCtlException(ExitCodes.UNREACHABLE, "cannot reach the admin API at " + base + ": " + reason);
    }

    /** A short human reason for a failed exchange; the JDK often leaves the useful bit in a cause. */
    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host";
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                String message = t.getMessage();
                return message == null || message.isBlank() ? "connection refused" : lowerFirst(message);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank()) {
                return lowerFirst(message.strip());
            }
        }
        return failure.getClass().getSimpleName();
    }

    private static String lowerFirst(String s) {
        // "Connection refused" -> "connection refused", but leave "HTTP/1.1 header ..." alone
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    @Override
    public void close() {
        // nothing held between requests: each one opens and closes its own connection
    }
}
