package io.cages.procbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.Deadline;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Process cages against their limits, on one machine (printed, never asserted):
 *
 * <ol>
 *   <li>pool mode through the host (dispatcher, admission, a virtual thread, the framed protocol, the Python worker
 *       library) against a raw ping-pong: this JVM writes the same request frames to the same worker program and
 *       reads its answers, nothing else. Round trip with one client and one worker; throughput with N clients and N
 *       workers;</li>
 *   <li>per-request mode through the host against a bare fork+exec loop of the same sh program (start, write the
 *       same envelope, read stdout, wait), with N clients each.</li>
 * </ol>
 *
 * Arguments: {@code [seconds=5] [clients=2]}; {@code -Dprocbench.lines=rtt,throughput,per-request} picks lines.
 */
public final class ProcBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PYTHON_WORKER = """
            import cages_worker
            cages_worker.serve({"ping": lambda params, request: {"pong": params.get("n")}})
            """;
    private static final String SH_PROGRAM = "cat > /dev/null\nprintf '{\"value\":{\"pong\":1}}'\n";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        // Which lines to measure (all by default), e.g. -Dprocbench.lines=throughput while working on one of them.
        List<String> lines = List.of(System.getProperty("procbench.lines", "rtt,throughput,per-request").split(","));
        Path dir = Files.createTempDirectory("procbench");
        Path lib = dir.resolve("lib");
        Files.createDirectories(lib);
        try (InputStream in = ProcBench.class.getResourceAsStream("/io/cages/process/workers/cages_worker.py")) {
            Files.copy(in, lib.resolve("cages_worker.py"));
        }
        Files.writeString(dir.resolve("worker.py"), PYTHON_WORKER);
        Files.writeString(dir.resolve("ping.sh"), SH_PROGRAM);
        System.out.printf("procbench: %d s per measurement, %d clients; python3 pool workers, sh per-request; %d cores%n",
                seconds, clients, Runtime.getRuntime().availableProcessors());

        HostConfig config = HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("configs"))
                .withDeployDir(dir.resolve("deploy")).withResourcesFile(dir.resolve("no-resources.json"));
        try (Host host = Host.start(config, List.of())) {
            deploy(host, archive("ping", "pool", 1, Map.of("worker.py", PYTHON_WORKER)));
            deploy(host, archive("pingn", "pool", clients, Map.of("worker.py", PYTHON_WORKER)));
            deploy(host, archive("shping", "per-request", clients, Map.of("ping.sh", SH_PROGRAM)));

            if (lines.contains("rtt")) {
                Result rawRtt = measure(seconds, 1, rawPool(dir, lib, 1));
                Result hostRtt = measure(seconds, 1, () -> callHost(host, "ping"));
                print("pool round trip, 1 client, 1 worker", hostRtt, rawRtt);
            }
            if (lines.contains("throughput")) {
                Result rawThroughput = measure(seconds, clients, rawPool(dir, lib, clients));
                Result hostThroughput = measure(seconds, clients, () -> callHost(host, "pingn"));
                Result hostAsync = measureAsync(seconds, clients, () -> dispatch(host, "pingn"));
                print("pool throughput, " + clients + " async clients, " + clients + " workers", hostAsync, rawThroughput);
                print("pool throughput, " + clients + " blocking clients, " + clients + " workers", hostThroughput, rawThroughput);
                if (Boolean.getBoolean("procbench.readerThread")) {
                    // What one more thread hop costs: the raw ping-pong with a reader thread that completes a future
                    // the client thread waits on, as a blocking client of the host waits.
                    Result rawReader = measure(seconds, clients, rawPoolWithReader(dir, lib, clients));
                    print("raw with a reader thread, " + clients + " blocking clients", rawReader, rawThroughput);
                }
            }
            if (lines.contains("per-request")) {
                Result bareFork = measure(seconds, clients, () -> forkExec(dir));
                Result perRequest = measure(seconds, clients, () -> callHost(host, "shping"));
                print("per-request, " + clients + " clients (sh)", perRequest, bareFork);
            }
        }
    }

    interface Call {
        void run() throws Exception;
    }

    record Result(long calls, double seconds, long[] latenciesNanos) {
        double perSecond() {
            return calls / seconds;
        }

        double p50Micros() {
            return latenciesNanos.length == 0 ? 0 : latenciesNanos[latenciesNanos.length / 2] / 1000.0;
        }
    }

    static void print(String what, Result cages, Result raw) {
        System.out.printf("%-45s cages %9.0f/s  p50 %8.1f us | raw %9.0f/s  p50 %8.1f us | cages/raw throughput %.2f%n",
                what, cages.perSecond(), cages.p50Micros(), raw.perSecond(), raw.p50Micros(), cages.perSecond() / raw.perSecond());
    }

    /**
     * Runs {@code call} from {@code clients} threads for {@code seconds}, after a warm-up of a fifth of it with as
     * many threads: the JIT compiles the concurrent path and a pool grows to its N workers before the count starts
     * (a single-threaded warm-up left the second worker to start, and C2 to compile, inside the measurement).
     */
    static Result measure(int seconds, int clients, Call call) throws Exception {
        run(seconds * 200L, clients, call);
        return run(seconds * 1000L, clients, call);
    }

    private static Result run(long millis, int clients, Call call) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder calls = new LongAdder();
        List<long[]> samples = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            long[] mine = new long[200_000];
            samples.add(mine);
            (Boolean.getBoolean("procbench.virtualClients") ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                int n = 0;
                try {
                    while (!stop.get()) {
                        long t = System.nanoTime();
                        call.run();
                        if (n < mine.length - 1) {
                            mine[n++] = System.nanoTime() - t;
                        }
                        calls.increment();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    mine[mine.length - 1] = -n; // how many samples this client kept
                    done.countDown();
                }
            });
        }
        double elapsed = endWindow(millis, started, stop, done, failures);
        long[] all = samples.stream().flatMapToLong(s -> Arrays.stream(s, 0, (int) -s[s.length - 1])).sorted().toArray();
        return new Result(calls.sum(), elapsed, all);
    }

    /**
     * Lets the clients run for the measurement window, stops them and waits for each to finish its call.
     *
     * @return the seconds from {@code started} until every client finished
     */
    private static double endWindow(long millis, long started, AtomicBoolean stop, CountDownLatch done, List<Throwable> failures)
            throws InterruptedException {
        Thread.sleep(millis); // the measurement window itself
        stop.set(true);
        done.await(60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a call failed", failures.get(0));
        }
        return elapsed;
    }

    static void callHost(Host host, String cage) throws Exception {
        dispatch(host, cage).get(10, TimeUnit.SECONDS);
    }

    static CompletableFuture<?> dispatch(Host host, String cage) {
        Dispatcher d = host.dispatcher();
        return d.dispatch(new InboundRequest(d.newRequestId(), cage, "ping", Map.of("n", 1), null, null, null, "bench",
                Deadline.afterMillis(10_000)));
    }

    /**
     * Like {@link #measure}, with asynchronous clients: each issues its next request from the completion of the
     * previous one (on whatever thread completes it), as an event-driven caller of the dispatcher does; no
     * client thread waits. Warm-up as in {@link #measure}.
     */
    static Result measureAsync(int seconds, int clients, java.util.function.Supplier<CompletableFuture<?>> call) throws Exception {
        runAsync(seconds * 200L, clients, call);
        return runAsync(seconds * 1000L, clients, call);
    }

    private static Result runAsync(long millis, int clients, java.util.function.Supplier<CompletableFuture<?>> call) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder calls = new LongAdder();
        CountDownLatch done = new CountDownLatch(clients);
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<AsyncClient> all = new ArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            AsyncClient client = new AsyncClient(call, stop, calls, done, failures);
            all.add(client);
            client.next();
        }
        double elapsed = endWindow(millis, started, stop, done, failures);
        long[] latencies = all.stream().flatMapToLong(a -> Arrays.stream(a.samples, 0, a.kept)).sorted().toArray();
        return new Result(calls.sum(), elapsed, latencies);
    }

    /** One closed-loop asynchronous client: a request in flight at a time, the next sent from the last's completion. */
    private static final class AsyncClient {
        private final java.util.function.Supplier<CompletableFuture<?>> call;
        private final AtomicBoolean stop;
        private final LongAdder calls;
        private final CountDownLatch done;
        private final List<Throwable> failures;
        final long[] samples = new long[200_000];
        int kept;

        AsyncClient(java.util.function.Supplier<CompletableFuture<?>> call, AtomicBoolean stop, LongAdder calls,
                    CountDownLatch done, List<Throwable> failures) {
            this.call = call;
            this.stop = stop;
            this.calls = calls;
            this.done = done;
            this.failures = failures;
        }

        /** Sends requests until one is still in flight when this returns (a loop, not a recursion, for ones answered at once). */
        void next() {
            while (!stop.get()) {
                long t = System.nanoTime();
                CompletableFuture<?> answer = call.get();
                if (!answer.isDone()) {
                    answer.whenComplete((value, error) -> {
                        completed(t, error);
                        if (error == null) {
                            next();
                        }
                    });
                    return;
                }
                Throwable error = answer.isCompletedExceptionally() ? answer.exceptionNow() : null;
                completed(t, error);
                if (error != null) {
                    return;
                }
            }
            done.countDown();
        }

        private void completed(long startedNanos, Throwable error) {
            if (error != null) {
                failures.add(error);
                done.countDown();
                return;
            }
            if (kept < samples.length) {
                samples[kept++] = System.nanoTime() - startedNanos;
            }
            calls.increment();
        }
    }

    /** N raw workers, one per client thread: frames written and read by hand, no host. */
    static Call rawPool(Path dir, Path lib, int workers) throws IOException {
        List<RawWorker> all = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            all.add(new RawWorker(dir, lib));
        }
        return perClientThread(all, RawWorker::ping);
    }

    interface WorkerCall {
        void run(RawWorker worker) throws Exception;
    }

    /** Each client thread keeps to one worker, handed out in turn on its first call. */
    static Call perClientThread(List<RawWorker> all, WorkerCall call) {
        ThreadLocal<RawWorker> mine = new ThreadLocal<>();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        return () -> {
            RawWorker w = mine.get();
            if (w == null) {
                w = all.get(next.getAndIncrement() % all.size());
                mine.set(w);
            }
            call.run(w);
        };
    }

    /**
     * The raw loop with one more thread hop: a reader thread per worker completes a future that the client thread
     * waits on (how much the hop costs; {@code -Dprocbench.readerThread=true}).
     */
    static Call rawPoolWithReader(Path dir, Path lib, int workers) throws IOException {
        List<RawWorker> all = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            RawWorker w = new RawWorker(dir, lib);
            all.add(w);
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (;;) {
                        JsonNode answer = w.read();
                        w.answers.take().complete(answer);
                    }
                } catch (Exception e) {
                    // the worker's stdout closed: the bench is over
                }
            });
        }
        return perClientThread(all, w -> {
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            w.answers.put(answer);
            w.send();
            answer.get();
        });
    }

    static final class RawWorker {
        private final DataOutputStream in;
        private final DataInputStream out;
        /** Answers awaited, in order (the raw loop with a reader thread). */
        final java.util.concurrent.BlockingQueue<CompletableFuture<JsonNode>> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        private long id;

        RawWorker(Path dir, Path lib) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("python3", "worker.py").directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().put("PYTHONPATH", lib.toString());
            Process process = builder.start();
            in = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
            out = new DataInputStream(new BufferedInputStream(process.getInputStream()));
            read(); // ready
        }

        synchronized void ping() throws IOException {
            send();
            JsonNode answer = read();
            if (!"answer".equals(answer.path("type").asText())) {
                throw new IOException("unexpected frame " + answer);
            }
        }

        synchronized void send() throws IOException {
            ObjectNode request = JSON.createObjectNode();
            request.put("type", "request").put("id", Long.toString(++id)).put("cage", "raw").put("operation", "ping")
                    .putObject("params").put("n", 1);
            request.put("caller", "bench").put("deadlineMs", 10_000);
            byte[] frame = JSON.writeValueAsBytes(request);
            in.writeInt(frame.length);
            in.write(frame);
            in.flush();
        }

        private JsonNode read() throws IOException {
            byte[] bytes = new byte[out.readInt()];
            out.readFully(bytes);
            return JSON.readTree(bytes);
        }
    }

    /** The same program as the per-request cage, started bare: fork+exec, envelope in, answer out, wait. */
    static void forkExec(Path dir) throws Exception {
        Process process = new ProcessBuilder("sh", "ping.sh").directory(dir.toFile()).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write("{\"id\":\"1\",\"cage\":\"shping\",\"operation\":\"ping\",\"params\":{\"n\":1},\"caller\":\"bench\",\"deadlineMs\":10000}"
                    .getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        process.getInputStream().transferTo(answer);
        process.getErrorStream().close();
        if (process.waitFor() != 0 || answer.size() == 0) {
            throw new IOException("bare sh failed");
        }
    }

    static byte[] archive(String name, String mode, int pool, Map<String, String> files) throws IOException {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("name", name).put("version", "1.0.0").put("mode", mode).put("pool", pool).put("queue", 1000);
        manifest.putArray("command").add(files.containsKey("worker.py") ? "python3" : "sh")
                .add(files.containsKey("worker.py") ? "worker.py" : "ping.sh");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("cage.json"));
            zip.write(JSON.writeValueAsBytes(manifest));
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toByteArray();
    }

    static void deploy(Host host, byte[] archive) {
        DeployRecord record = host.admin().deploy(archive, "procbench");
        if (!record.succeeded()) {
            throw new IllegalStateException("deploy failed: " + record);
        }
    }
}
