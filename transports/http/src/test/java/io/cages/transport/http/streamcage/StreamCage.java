package io.cages.transport.http.streamcage;

import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test cage that streams a deterministic pattern and records, per run, how far its producer got and how it
 * ended, so tests can see the server side of a stream ({@code progress?run=...}). Uses only io.cages.api and java.*.
 *
 * <ul>
 *   <li>{@code pattern?bytes=N&run=R[&failAfter=M]}: N bytes of {@link #fill}; throws after M bytes when given.</li>
 *   <li>{@code trickle?run=R&pauseMs=P[&delayMs=D]}: after D ms, 1 KiB every P ms until a write fails (the
 *   deadline, a disconnect).</li>
 *   <li>{@code progress?run=R}: {@code {"written", "state", "error"}}; state is running, ended or failed.</li>
 * </ul>
 */
public class StreamCage implements CageHandler {

    /** Bytes per pattern block; each block starts with its index, so a lost or repeated block shows. */
    public static final int BLOCK = 64 * 1024;

    private static final Map<String, Progress> RUNS = new ConcurrentHashMap<>();

    private static final class Progress {
        volatile long written;
        volatile String state = "running";
        volatile String error = "";
    }

    /** A block of bytes that vary with position; {@link #fill} stamps each copy with its index. */
    public static byte[] newBlock() {
        byte[] block = new byte[BLOCK];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 31 + (i >>> 8));
        }
        return block;
    }

    /** Makes {@code block} (from {@link #newBlock}) block {@code index} of the pattern: its first 8 bytes are the index. */
    public static void fill(byte[] block, long index) {
        for (int i = 0; i < 8; i++) {
            block[i] = (byte) (index >>> (56 - 8 * i));
        }
    }

    @Override
    public Response handle(Request request) throws Exception {
        String run = String.valueOf(request.params().getOrDefault("run", "default"));
        switch (request.operation()) {
            case "pattern" -> {
                long bytes = Long.parseLong(String.valueOf(request.params().get("bytes")));
                long failAfter = request.params().containsKey("failAfter")
                        ? Long.parseLong(String.valueOf(request.params().get("failAfter"))) : -1;
                Progress progress = new Progress();
                RUNS.put(run, progress);
                return Response.stream("application/octet-stream", out -> track(progress, () -> pattern(out, bytes, failAfter, progress)));
            }
            case "trickle" -> {
                long pauseMs = Long.parseLong(String.valueOf(request.params().getOrDefault("pauseMs", "50")));
                long delayMs = Long.parseLong(String.valueOf(request.params().getOrDefault("delayMs", "0")));
                Progress progress = new Progress();
                RUNS.put(run, progress);
                return Response.stream("text/plain", out -> track(progress, () -> {
                    Thread.sleep(delayMs);
                    trickle(out, pauseMs, progress);
                }));
            }
            case "progress" -> {
                Progress progress = RUNS.get(run);
                if (progress == null) {
                    throw CageException.notFound("no run '" + run + "'");
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("written", progress.written);
                answer.put("state", progress.state);
                answer.put("error", progress.error);
                return Response.of(answer);
            }
            default -> throw CageException.notFound("no operation '" + request.operation() + "'");
        }
    }

    private interface Body {
        void write() throws Exception;
    }

    private static void track(Progress progress, Body body) throws Exception {
        try {
            body.write();
            progress.state = "ended";
        } catch (Exception e) {
            progress.error = String.valueOf(e.getMessage());
            progress.state = "failed";
            throw e;
        }
    }

    private static void pattern(OutputStream out, long bytes, long failAfter, Progress progress) throws IOException {
        byte[] block = newBlock();
        long index = 0;
        while (progress.written < bytes) {
            if (failAfter >= 0 && progress.written >= failAfter) {
                throw new IllegalStateException("failing on purpose after " + progress.written + " bytes");
            }
            fill(block, index++);
            int n = (int) Math.min(BLOCK, bytes - progress.written);
            out.write(block, 0, n);
            progress.written += n;
        }
        if (failAfter >= 0 && progress.written >= failAfter) {
            throw new IllegalStateException("failing on purpose after " + progress.written + " bytes");
        }
    }

    private static void trickle(OutputStream out, long pauseMs, Progress progress) throws Exception {
        byte[] line = new byte[1024];
        java.util.Arrays.fill(line, (byte) 'x');
        line[line.length - 1] = '\n';
        while (true) {
            out.write(line);
            out.flush();
            progress.written += line.length;
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                // Interrupted by the deadline: the next write says why (and fails like every write from now on).
                out.write(line);
                throw e;
            }
        }
    }
}
