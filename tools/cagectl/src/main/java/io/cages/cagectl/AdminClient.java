package io.cages.cagectl;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Talks HTTP to the host's admin API. Every failure to get an answer becomes a {@link CageCtlException}
 * with exit code {@link ExitCodes#UNREACHABLE} and a one-line reason; any HTTP answer, whatever its status,
 * is returned to the caller.
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
    private final HttpClient http;

    public AdminClient(URI base, Duration connectTimeout, Duration requestTimeout) {
        this.base = base;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
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
        return send(request(path).GET().build());
    }

    /** {@code POST path} with an empty body. */
    public Response post(String pathAndQuery) {
        return send(request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** {@code POST path} with the bytes of {@code file} as the body. */
    public Response postFile(String pathAndQuery, Path file, String contentType) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw new CageCtlException(ExitCodes.USAGE, "cannot read " + file + ": no such file");
        }
        return send(request(pathAndQuery).header("Content-Type", contentType).POST(body).build());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(requestTimeout)
                .header("Accept", "application/json");
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CageCtlException(ExitCodes.UNREACHABLE, "interrupted while waiting for the admin API at " + base);
        } catch (HttpTimeoutException e) {
            if (e instanceof HttpConnectTimeoutException) {
                throw unreachable("no connection within " + seconds(connectTimeout));
            }
            throw new CageCtlException(ExitCodes.UNREACHABLE, "the admin API at " + base + " did not answer within "
                    + seconds(requestTimeout) + " (the operation may still complete; check 'cagectl history')");
        } catch (IOException | RuntimeException e) {
            throw unreachable(reason(e));
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

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    @Override
    public void close() {
        http.close();
    }
}
