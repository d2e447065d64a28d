package io.cages.transport.rpc.internal;

import io.cages.transport.rpc.RpcSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A plain blocking socket that speaks frames by hand: for requests the client would never send. */
final class RawPeer implements AutoCloseable {

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawPeer(InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static byte[] bytes(Frame frame) {
        ByteBuf buf = FrameCodec.encode(ByteBufAllocator.DEFAULT, frame, RpcSettings.DEFAULT_MAX_FRAME_BYTES);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    void send(Frame frame) throws IOException {
        write(bytes(frame));
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame, decoded; throws EOFException when the peer closed. */
    Frame read() throws Exception {
        int length = in.readInt();
        byte[] frame = new byte[length];
        in.readFully(frame);
        return FrameCodec.decode(Unpooled.wrappedBuffer(frame));
    }

    /** Reads and drops frames until the server closes the connection; false if it did not within 10 s. */
    boolean drainUntilClosed() throws IOException {
        byte[] buffer = new byte[8192];
        try {
            while (in.read(buffer) >= 0) {
                // discard
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException | EOFException reset) {
            return true; // a reset is a close too
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
