package io.cages.transport.rpc.internal;

import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host cut off mid-call, as its callers see it: accepts connections and reads every frame, but never
 * answers (not even a PONG) and never closes, so nothing but the caller itself can end a call sent here.
 */
public final class SilentPeer implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, AtomicInteger> byOperation = new ConcurrentHashMap<>();

    public SilentPeer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** REQUEST frames received so far. */
    public int requests() {
        return requests.get();
    }

    /** REQUEST frames received so far for {@code operation}. */
    public int requests(String operation) {
        AtomicInteger n = byOperation.get(operation);
        return n == null ? 0 : n.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread.ofVirtual().start(() -> swallow(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void swallow(Socket socket) {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                if (FrameCodec.decode(Unpooled.wrappedBuffer(frame)) instanceof Frame.Request request) {
                    byOperation.computeIfAbsent(request.operation(), op -> new AtomicInteger()).incrementAndGet();
                    requests.incrementAndGet();
                }
            }
        } catch (Exception closed) {
            // the caller closed the connection, or the test is over
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
