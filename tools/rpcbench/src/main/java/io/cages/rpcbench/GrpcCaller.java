package io.cages.rpcbench;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC-java client as a tuned user writes it. Latency: the blocking stub's call
 * ({@link ClientCalls#blockingUnaryCall}), whose callbacks run on the calling thread itself (gRPC's
 * ThreadlessExecutor), so the caller wakes up once per call and no pool is involved. Throughput: async calls
 * on a channel built with {@code directExecutor()}, whose callbacks run on the event loop that read the
 * reply, and the next call is started from there. Per call it does the work the cages client does: encodes
 * the parameter map and decodes the reply to a tree, with the same Jackson codec.
 */
final class GrpcCaller implements RpcBench.Caller {

    private final String name;
    private final ManagedChannel channel;
    private final GrpcHello.Codec codec;
    private final Map<String, Object> params;
    private final long deadlineMs;

    GrpcCaller(String name, ManagedChannel channel, GrpcHello.Codec codec, Map<String, Object> params, long deadlineMs) {
        this.name = name;
        this.channel = channel;
        this.codec = codec;
        this.params = params;
        this.deadlineMs = deadlineMs;
    }

    @Override
    public String name() {
        return name;
    }

    private CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void call(RpcBench.Done done) {
        ClientCalls.asyncUnaryCall(channel.newCall(codec.method, options()), codec.encode(params), new StreamObserver<>() {
            private JsonNode reply;

            @Override
            public void onNext(byte[] value) {
                reply = codec.decodeTree(value);
            }

            @Override
            public void onError(Throwable t) {
                done.run(t);
            }

            @Override
            public void onCompleted() {
                done.run(reply == null ? new IllegalStateException("no reply message") : null);
            }
        });
    }

    @Override
    public String callAndWait() {
        byte[] reply = ClientCalls.blockingUnaryCall(channel, codec.method, options(), codec.encode(params));
        return codec.decodeTree(reply).get("greeting").asText();
    }
}
