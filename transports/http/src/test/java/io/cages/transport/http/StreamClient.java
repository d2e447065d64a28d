package io.cages.transport.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw-socket HTTP/1.1 client for streamed answers: it reads the body at the pace the test chooses, with a
 * small receive buffer (so the server cannot park much in the client's socket), decodes chunks itself, and
 * tells a body cut short (the connection ended without the final chunk) from a complete one. Every read has
 * a socket timeout, so a hung server fails the test.
 */
final class StreamClient implements AutoCloseable {

    static final int RECEIVE_BUFFER = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    final int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    private final boolean chunked;
    private long chunkLeft;
    private boolean ended;
    long bodyRead;
    /** CRC-32 of every body byte read so far. */
    final java.util.zip.CRC32 crc = new java.util.zip.CRC32();

    private StreamClient(Socket socket, InputStream in, int status, boolean chunked) {
        this.socket = socket;
        this.in = in;
        this.status = status;
        this.chunked = chunked;
    }

    /** Sends {@code GET path} with the given extra header lines and reads the response head. */
    static StreamClient get(int port, String path, String... headerLines) throws IOException {
        return get(port, path, RECEIVE_BUFFER, headerLines);
    }

    /** As above, with a receive buffer of {@code receiveBuffer} bytes. */
    static StreamClient get(int port, String path, int receiveBuffer, String... headerLines) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer); // before connect, so the window is that small from the start
        socket.setSoTimeout(20_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header; !(header = line(in)).isEmpty(); ) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        StreamClient client = new StreamClient(socket, in, status, "chunked".equalsIgnoreCase(headers.get("transfer-encoding")));
        client.headers.putAll(headers);
        if (!client.chunked) {
            client.chunkLeft = Long.parseLong(headers.getOrDefault("content-length", "0"));
        }
        return client;
    }

    /**
     * Reads up to {@code buffer.length} body bytes; -1 at the end of a complete body.
     *
     * @throws EOFException when the connection ended before the final chunk: the body was cut
     */
    int read(byte[] buffer) throws IOException {
        return read(buffer, buffer.length);
    }

    private int read(byte[] buffer, int max) throws IOException {
        if (ended) {
            return -1;
        }
        if (chunkLeft == 0) {
            if (!chunked) {
                ended = true;
                return -1;
            }
            String size = line(in);
            int extension = size.indexOf(';');
            chunkLeft = Long.parseLong(extension < 0 ? size : size.substring(0, extension), 16);
            if (chunkLeft == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                ended = true;
                return -1;
            }
        }
        int n = in.read(buffer, 0, (int) Math.min(max, chunkLeft));
        if (n < 0) {
            throw new EOFException("the body was cut after " + bodyRead + " bytes: the connection ended inside a chunk");
        }
        crc.update(buffer, 0, n);
        chunkLeft -= n;
        bodyRead += n;
        if (chunked && chunkLeft == 0 && !line(in).isEmpty()) {
            throw new IOException("a chunk did not end with CRLF");
        }
        return n;
    }

    /** Reads {@code count} body bytes, or to the end of the body; returns how many it read. */
    long read(long count) throws IOException {
        byte[] buffer = new byte[(int) Math.min(64 * 1024, Math.max(1, count))];
        long got = 0;
        while (got < count) {
            int n = read(buffer, (int) Math.min(buffer.length, count - got));
            if (n < 0) {
                break;
            }
            got += n;
        }
        return got;
    }

    /** Reads to the end of the body; returns how many bytes that was. */
    long readToEnd() throws IOException {
        return read(Long.MAX_VALUE);
    }

    /** The rest of the body as text (small bodies: errors). */
    String rest() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = read(buffer)) >= 0; ) {
            all.write(buffer, 0, n);
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new EOFException("the connection ended mid-line (after '" + line + "')");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
