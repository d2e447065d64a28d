package io.cages.transport.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A plain socket that writes raw bytes and reads raw responses, for what HTTP clients will not send. */
final class RawClient implements AutoCloseable {

    private static final int TIMEOUT_MS = 10_000;

    private final Socket socket = new Socket();
    private final StringBuilder wire = new StringBuilder();

    RawClient(int port) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
    }

    void send(String raw) throws IOException {
        socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads until {@code count} complete responses arrived; fails on EOF or after the socket timeout. */
    List<RawResponse> read(int count) throws IOException {
        List<RawResponse> responses = new ArrayList<>();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (true) {
            int consumed = RawResponse.parse(wire.toString(), responses);
            wire.delete(0, consumed);
            if (responses.size() >= count) {
                return responses;
            }
            int n = in.read(buffer);
            if (n < 0) {
                throw new AssertionError("connection closed after " + responses.size() + " of " + count + " responses: " + responses);
            }
            wire.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
    }

    RawResponse readOne() throws IOException {
        return read(1).get(0);
    }

    /** True when the server closes the connection (EOF) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset: closed as well
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
