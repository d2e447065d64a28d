package io.cages.rpcbench;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.TestCages;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTransport;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * The callee JVM of {@link RpcBench}: two cage hosts with the hello cage (and hello-vt, the same cage with its
 * greet on a virtual thread instead of the I/O thread), one behind the RPC transport on plain TCP and one behind
 * it over mutual TLS (credentials from the folder {@value BenchTls#DIR_PROPERTY} names), and beside them
 * gRPC servers with the equivalent unary hello, all on loopback with free ports and the same number of NIO
 * event loop threads. Three gRPC servers differ only in where they run the handler:
 * <ul>
 *   <li>{@code grpc}: {@code directExecutor()}, on the event loop that read the request: gRPC-java's fastest
 *       setting for a handler that never blocks (this one does not), and the reference of the comparison;</li>
 *   <li>{@code grpc-fjp}: a ForkJoinPool of one thread per core in async mode, the pool gRPC-java's own
 *       benchmarks use when a handler must leave the event loop (reported when asked for);</li>
 *   <li>{@code grpc-vt}: a virtual thread per call, the model the cages host uses for every handler
 *       (reported when asked for).</li>
 * </ul>
 * Prints {@code PORTS rpc=<port> rpc-tls=<port> grpc=<port> ...} on stdout once all are ready, and stops when its standard
 * input closes (so it never outlives the caller).
 *
 * <p>Usage: {@code CalleeMain <hello.jar>}
 */
public final class CalleeMain {

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args[0]);
        RpcSettings settings = RpcSettings.defaults().withBind("127.0.0.1", 0);
        // Two callee hosts side by side, the same in all but the RPC transport: plain TCP, and mutual TLS with the
        // credentials the caller made (gRPC stays plaintext), so both are measured in the same run.
        RpcTransport rpc = new RpcTransport(settings, null);
        RpcTransport rpcTls = new RpcTransport(settings, BenchTls.of(Path.of(System.getProperty(BenchTls.DIR_PROPERTY)), "callee"));

        // gRPC gets what the RPC transport has: one acceptor thread, settings.ioThreads() NIO workers.
        EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("grpc-accept", true));
        EventLoopGroup workers = new NioEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("grpc-server", true));
        ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors(),
                ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
        ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
        Server direct = grpcServer(boss, workers).directExecutor().build();
        Server pooled = grpcServer(boss, workers).executor(pool).build();
        Server perCall = grpcServer(boss, workers).executor(virtual).build();
        List<Server> servers = List.of(direct, pooled, perCall);

        try (Host host = start("callee", rpc, helloJar); Host tlsHost = start("callee", rpcTls, helloJar)) {
            for (Server s : servers) {
                s.start();
            }
            System.out.println("PORTS rpc=" + rpc.localAddress().getPort() + " rpc-tls=" + rpcTls.localAddress().getPort()
                    + " grpc=" + direct.getPort()
                    + " grpc-fjp=" + pooled.getPort() + " grpc-vt=" + perCall.getPort() + " ioThreads=" + settings.ioThreads());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the caller closes our stdin (or dies) when it is done
            }
        } finally {
            for (Server s : servers) {
                s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            pool.shutdownNow();
            virtual.shutdownNow();
        }
        System.exit(0);
    }

    /** A callee host with the hello cages behind {@code rpc}. */
    private static Host start(String name, RpcTransport rpc, Path helloJar) throws Exception {
        Path work = Files.createTempDirectory("cages-rpcbench-callee");
        HostConfig config = HostConfig.defaults().withName(name).withWorkDir(work)
                .withCageConfigDir(work.resolve("configs"))
                // A file that does not exist: the bench host owns no resources, whatever configs/ holds.
                .withResourcesFile(work.resolve("no-resources.json"))
                .withHttp(new HostConfig.Http("127.0.0.1", 0, "127.0.0.1", -1, null, null, null, null, 1));
        Host host = Host.start(config, List.of(rpc));
        byte[] hello = Files.readAllBytes(helloJar);
        // hello-vt: the same cage without Cage-Non-Blocking, so its greet runs on a virtual thread of its own.
        byte[] helloVt = TestCages.withHeader(TestCages.withHeader(TestCages.withHeader(hello,
                "Cage-Name", "hello-vt"), "Bundle-SymbolicName", "cage.hello-vt"), "Cage-Non-Blocking", "");
        for (byte[] jar : List.of(hello, helloVt)) {
            if (!host.admin().deploy(jar, "bench").succeeded()) {
                host.close();
                throw new IllegalStateException("a hello cage did not deploy: " + host.admin().history());
            }
        }
        return host;
    }

    private static NettyServerBuilder grpcServer(EventLoopGroup boss, EventLoopGroup workers) {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .channelType(NioServerSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .addService(GrpcHello.service());
    }
}
