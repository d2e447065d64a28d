package io.cages.rpcbench;

import io.cages.host.Host;
import io.cages.host.HostConfig;
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
import java.util.concurrent.TimeUnit;

/**
 * The callee JVM of {@link RpcBench}: a cage host with the RPC transport and the hello cage, and beside it a
 * gRPC server with the equivalent unary hello. Both listen on loopback with free ports, both run their
 * handlers on virtual threads (the host always does; gRPC is given a virtual-thread executor) and both get
 * the same number of NIO event loop threads. Prints {@code PORTS rpc=<port> grpc=<port>} on stdout once
 * both are ready, and stops when its standard input closes (so it never outlives the caller).
 *
 * <p>Usage: {@code CalleeMain <hello.jar>}
 */
public final class CalleeMain {

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args[0]);
        Path work = Files.createTempDirectory("cages-rpcbench-callee");
        RpcSettings settings = RpcSettings.defaults().withBind("127.0.0.1", 0);
        RpcTransport rpc = new RpcTransport(settings);
        HostConfig config = HostConfig.defaults().withName("callee").withWorkDir(work)
                .withCageConfigDir(work.resolve("configs"))
                .withHttp(new HostConfig.Http("127.0.0.1", 0, "127.0.0.1", -1, null, null, null, null, 1));

        // gRPC gets what the RPC transport has: one acceptor thread, settings.ioThreads() NIO workers.
        EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("grpc-accept", true));
        EventLoopGroup workers = new NioEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("grpc-server", true));
        ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .channelType(NioServerSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .addService(GrpcHello.service());
        switch (RpcBench.grpcExecutor()) {
            case "virtual" -> builder.executor(handlers); // the fair default: the host runs cages the same way
            case "direct" -> builder.directExecutor();    // diagnostic: handler on the event loop
            default -> { }                                // "pool": gRPC's own shared cached thread pool
        }
        Server grpc = builder.build();

        try (Host host = Host.start(config, List.of(rpc))) {
            var deployed = host.admin().deploy(Files.readAllBytes(helloJar), "bench");
            if (!deployed.succeeded()) {
                throw new IllegalStateException("hello did not deploy: " + host.admin().history());
            }
            grpc.start();
            System.out.println("PORTS rpc=" + rpc.localAddress().getPort() + " grpc=" + grpc.getPort()
                    + " ioThreads=" + settings.ioThreads() + " grpcExecutor=" + RpcBench.grpcExecutor());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the caller closes our stdin (or dies) when it is done
            }
            grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            grpc.shutdownNow();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            handlers.shutdownNow();
        }
        System.exit(0);
    }
}
