package io.cages.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 keep-alive connection over a plain socket, for load tests that must account for every
 * request. The JDK HttpClient silently sends a GET again when a pooled connection closes before any
 * response byte, so a request the server dropped can come back as a success; this client sends each
 * request exactly once and reports what happened to it:
 * <ul>
 *   <li>a {@link Response} when a whole response arrived (a {@code Connection: close} answer closes the
 *   socket; the next request opens a new one);</li>
 *   <li>{@link CutOff} when the server closed or reset the connection while the request was outstanding:
 *   it may or may not have run;</li>
 *   <li>{@link java.net.ConnectException} when no connection could be opened: nothing was sent;</li>
 *   <li>{@link SocketTimeoutException} when no response came within the timeout.</li>
 * </ul>
 * After any failure the connection is closed. Not thread-safe: one client per thread.
 */
final class KeepAliveClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final String host;
    private final int port;
    private final int timeoutMs;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    /** Connections this client opened: more than one means the server closed some along the way. */
    private int connections;

    KeepAliveClient(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeoutMs = (int) timeout.toMillis();
    }

    /** The server closed or reset the connection before the whole response to a sent request arrived. */
    static final class CutOff extends IOException {
        private static final long serialVersionUID = 1L;

        CutOff(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A whole response: status, headers (names in lower case, repeated ones joined) and the body as text. */
    record Response(int status, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Response get(String target, String... headers) throws IOException {
        return send("GET", target, headers);
    }

    Response post(String target, String... headers) throws IOException {
        return send("POST", target, headers);
    }

    /** Sends one request without a body; {@code headers} come as name/value pairs. */
    Response send(String method, String target, String... headers) throws IOException {
        StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (!method.equals("GET") && !method.equals("DELETE")) {
            request.append("Content-Length: 0\r\n");
        }
        request.append("\r\n");
        if (socket == null) {
            connect(); // a ConnectException leaves here: nothing was sent
        }
        try {
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Response response = read();
            if ("close".equalsIgnoreCase(response.header("connection"))) {
                close();
            }
            return response;
        } catch (SocketTimeoutException e) {
            close();
            throw e;
        } catch (IOException e) {
            close();
            throw e instanceof CutOff ? e : new CutOff("connection to " + host + ":" + port + " failed with "
                    + method + " " + target + " outstanding: " + e, e);
        }
    }

    int connectionsOpened() {
        return connections;
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
        connections++;
    }

    private Response read() throws IOException {
        String head = readHead();
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        if (headers.containsKey("transfer-encoding")) {
            throw new IOException("chunked responses are not expected from the host: " + head);
        }
        int length = headers.containsKey("content-length") ? Integer.parseInt(headers.get("content-length")) : 0;
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    /** The status line and headers, without the blank line that ends them. */
    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int matched = 0; // how much of CR LF CR LF was just seen
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(head.size() == 0 ? "connection closed before any response byte"
                        : "connection closed in the middle of the response head");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1
                    : b == '\r' ? 1 : 0;
            if (head.size() > MAX_HEAD_BYTES) {
                throw new IOException("response head over " + MAX_HEAD_BYTES + " bytes");
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a socket that already failed: nothing left to release
            }
        }
    }
}
