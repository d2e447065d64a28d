package io.cages.rpcbench;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The gRPC side of the comparison, without code generation: unary methods whose messages are plain byte
 * arrays (a byte-array marshaller) carrying a Jackson document, one method per payload codec. Its handler does
 * what the hello cage's {@code greet} does: read the name, build the greeting map, write it.
 *
 * <p>{@link Codec#SMILE} is the like-for-like codec: the cages RPC transport carries its parameters and
 * values in Smile, with the same Jackson version and the same generator settings as here.
 */
final class GrpcHello {

    static final String SERVICE = "bench.Hello";
    static final String VERSION = "1.0.0";

    /** How a message's bytes are written and read; each codec has its own method on the same service. */
    enum Codec {
        /** What cages carries (transports/rpc Payloads): Smile, binary raw, nesting limited, trailing tokens refused. */
        SMILE("Greet", SmileMapper.builder(SmileFactory.builder()
                        .disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT)
                        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100).build())
                        .build())
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build()),
        /** JSON text, what a gRPC user carrying JSON would send (reported when asked for, not the reference). */
        JSON("GreetJson", JsonMapper.builder()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build());

        final ObjectMapper mapper;
        final MethodDescriptor<byte[], byte[]> method;

        Codec(String methodName, ObjectMapper mapper) {
            this.mapper = mapper;
            this.method = MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, methodName))
                    .setRequestMarshaller(Bytes.INSTANCE)
                    .setResponseMarshaller(Bytes.INSTANCE)
                    .setIdempotent(true)
                    .build();
        }

        byte[] encode(Object value) {
            try {
                return mapper.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The caller's side of the work, as the cages client does it: the reply becomes a tree. */
        JsonNode decodeTree(byte[] bytes) {
            try {
                return mapper.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** {"name":"world"} in, {"greeting":"Hello, world!","version":"1.0.0"} out, as the cage does it. */
        byte[] greet(byte[] request) throws IOException {
            Map<?, ?> params = mapper.readValue(request, Map.class);
            Object name = params.get("name");
            String who = name == null || name.toString().isBlank() ? "world" : name.toString();
            return mapper.writeValueAsBytes(Map.of("greeting", "Hello, " + who + "!", "version", VERSION));
        }
    }

    private GrpcHello() {
    }

    /** The service with one method per codec. */
    static ServerServiceDefinition service() {
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(SERVICE);
        for (Codec codec : Codec.values()) {
            service.addMethod(codec.method, ServerCalls.asyncUnaryCall((request, observer) -> {
                byte[] reply;
                try {
                    reply = codec.greet(request);
                } catch (RuntimeException | IOException e) {
                    observer.onError(Status.INVALID_ARGUMENT.withDescription(e.toString()).asRuntimeException());
                    return;
                }
                observer.onNext(reply);
                observer.onCompleted();
            }));
        }
        return service.build();
    }

    /**
     * Messages are the bytes as they are; gRPC's own length-prefixed message framing delimits them. Tuned as
     * gRPC's MessageFramer asks of performance-critical marshallers: the outgoing stream is {@link Drainable}
     * (written in one call, no 8 KiB copy buffer) and {@link KnownLength} (framed without buffering); an
     * incoming message of known length is read into an array of exactly its size.
     */
    private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new Message(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                if (stream instanceof KnownLength) {
                    byte[] bytes = new byte[stream.available()];
                    if (stream.readNBytes(bytes, 0, bytes.length) != bytes.length) {
                        throw new IOException("the message ended early");
                    }
                    return bytes;
                }
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("cannot read a message: " + e).asRuntimeException();
            }
        }
    }

    private static final class Message extends ByteArrayInputStream implements Drainable, KnownLength {

        Message(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }
}
