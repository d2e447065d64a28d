package io.cages.rpcbench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The gRPC side of the comparison, without code generation: one unary method {@code bench.Hello/Greet} whose
 * messages are plain byte arrays (a byte-array marshaller), carrying JSON written and read with Jackson.
 * Its handler does what the hello cage's {@code greet} does: read the name, build the greeting map, write it.
 */
final class GrpcHello {

    static final String SERVICE = "bench.Hello";
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final String VERSION = "1.0.0";

    static final MethodDescriptor<byte[], byte[]> GREET = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Greet"))
            .setRequestMarshaller(Bytes.INSTANCE)
            .setResponseMarshaller(Bytes.INSTANCE)
            .setIdempotent(true)
            .build();

    private GrpcHello() {
    }

    static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(GREET, ServerCalls.asyncUnaryCall((request, observer) -> {
                    byte[] reply;
                    try {
                        reply = greet(request);
                    } catch (RuntimeException | IOException e) {
                        observer.onError(Status.INVALID_ARGUMENT.withDescription(e.toString()).asRuntimeException());
                        return;
                    }
                    observer.onNext(reply);
                    observer.onCompleted();
                }))
                .build();
    }

    /** {"name":"world"} in, {"greeting":"Hello, world!","version":"1.0.0"} out, as the cage does it. */
    static byte[] greet(byte[] request) throws IOException {
        Map<?, ?> params = JSON.readValue(request, Map.class);
        Object name = params.get("name");
        String who = name == null || name.toString().isBlank() ? "world" : name.toString();
        return JSON.writeValueAsBytes(Map.of("greeting", "Hello, " + who + "!", "version", VERSION));
    }

    static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Messages are the bytes as they are; gRPC's own length-prefixed message framing delimits them. */
    private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("cannot read a message: " + e).asRuntimeException();
            }
        }
    }
}
