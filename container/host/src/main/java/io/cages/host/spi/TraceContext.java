package io.cages.host.spi;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hop of a trace, in W3C Trace Context terms (https://www.w3.org/TR/trace-context/): the trace, this hop's
 * span, the caller's span it is a child of (null at the root), the trace flags and the vendors' {@code tracestate}.
 *
 * <p>Transports make one per request they take in ({@link #incoming}) and hand it on as request attributes
 * ({@link #putInto}); the host runs the request with it as {@link #current()} and in the logging MDC, and a call
 * or message the request sends is a {@link #child()} whose {@link #traceparent()} travels with it.
 *
 * <p>A trace id from a caller that does not speak W3C (an older host's RPC frame, a test's {@code trace.id}
 * attribute) is kept as it is, so the trace still reads as one in the logs; such a trace has no
 * {@link #traceparent()}, and transports send the bare id where they always did.
 *
 * @param traceId      32 lower-case hex digits (or a caller's own non-W3C id, see above)
 * @param spanId       16 lower-case hex digits: this hop
 * @param parentSpanId the caller's span, or null when this hop started the trace
 * @param flags        2 hex digits; {@code 01}: sampled
 * @param state        the {@code tracestate} header as received, or null
 */
public record TraceContext(String traceId, String spanId, String parentSpanId, String flags, String state) {

    /** Request attribute: the trace id. The name calls by name always propagated. */
    public static final String TRACE_ID = "trace.id";
    /** Request attribute: this hop's span id. */
    public static final String SPAN_ID = "trace.span";
    /** Request attribute: the caller's span id; absent at the root of a trace. */
    public static final String PARENT_SPAN_ID = "trace.parent";
    /** Request attribute: the trace flags (2 hex digits). */
    public static final String FLAGS = "trace.flags";
    /** Request attribute: the {@code tracestate} received, if any. */
    public static final String STATE = "trace.state";

    /** HTTP header and JMS message property names (JMS property names must be Java identifiers: these are). */
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    /** SLF4J MDC keys the host sets while a request runs; the default log pattern prints the first. */
    public static final String MDC_TRACE_ID = "traceId";
    public static final String MDC_SPAN_ID = "spanId";

    private static final Logger LOG = LoggerFactory.getLogger(TraceContext.class);
    private static final String SAMPLED = "01";
    /** tracestate is at most 32 list members of at most 256 characters each; longer is not a header we carry. */
    private static final int MAX_STATE_CHARS = 32 * 257;
    private static final ThreadLocal<TraceContext> CURRENT = new ThreadLocal<>();

    /** A new trace: random ids, sampled. */
    public static TraceContext root() {
        return new TraceContext(newTraceId(), newSpanId(), null, SAMPLED, null);
    }

    /**
     * This hop for a request that arrived with {@code traceparent} (and {@code tracestate}): a child of the
     * caller's span, or the root of a new trace when the header is absent or not valid W3C (logged at debug,
     * never the caller's error).
     */
    public static TraceContext incoming(String traceparent, String tracestate) {
        if (traceparent == null || traceparent.isEmpty()) {
            return root();
        }
        TraceContext parent = parse(traceparent, tracestate);
        if (parent != null) {
            return parent.child();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("ignored an invalid traceparent '{}'; the request starts a new trace", clip(traceparent));
        }
        return root();
    }

    /**
     * The caller's context as a W3C {@code traceparent} header names it, or null when the header is not valid:
     * version {@code 00} exactly as specified; a higher version is read by its first four fields, as the
     * specification asks; all-zero ids and version {@code ff} are invalid.
     */
    public static TraceContext parse(String traceparent, String tracestate) {
        if (traceparent == null) {
            return null;
        }
        String value = traceparent.trim();
        if (value.length() < 55 || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return null;
        }
        String version = value.substring(0, 2);
        if (!isHex(version) || version.equals("ff")) {
            return null;
        }
        if (value.length() > 55 && (version.equals("00") || value.charAt(55) != '-')) {
            return null;
        }
        String traceId = value.substring(3, 35);
        String spanId = value.substring(36, 52);
        String flags = value.substring(53, 55);
        if (!isHex(traceId) || !isHex(spanId) || !isHex(flags) || isZero(traceId) || isZero(spanId)) {
            return null;
        }
        String state = tracestate == null || tracestate.isBlank() || tracestate.length() > MAX_STATE_CHARS ? null : tracestate.trim();
        return new TraceContext(traceId, spanId, null, flags, state);
    }

    /**
     * This hop for a call whose RPC frame carried {@code value} ({@link #wireValue()}): as {@link #incoming}, except
     * that a plain id an older host sent (its request id) stays the trace id; null or empty starts a new trace.
     */
    public static TraceContext fromWire(String value) {
        if (value != null && !value.isEmpty() && parse(value, null) == null && isLegacyId(value)) {
            return new TraceContext(value, newSpanId(), null, SAMPLED, null);
        }
        return incoming(value, null);
    }

    /**
     * The context a request's attributes carry ({@link #putInto}); from a bare {@link #TRACE_ID} (a caller that
     * named only the trace) a new span of that trace; null when they carry none.
     */
    public static TraceContext of(Map<String, String> attributes) {
        if (attributes instanceof Carrier carrier) {
            return carrier.trace();
        }
        String traceId = attributes.get(TRACE_ID);
        if (traceId == null || traceId.isEmpty()) {
            return null;
        }
        String spanId = attributes.get(SPAN_ID);
        if (spanId == null) {
            return new TraceContext(traceId, newSpanId(), null, SAMPLED, null);
        }
        String flags = attributes.get(FLAGS);
        return new TraceContext(traceId, spanId, attributes.get(PARENT_SPAN_ID), flags != null ? flags : SAMPLED,
                attributes.get(STATE));
    }

    /**
     * An attribute map that holds its request's context as it is ({@link #putInto} would have copied it), so
     * {@link #of} takes it without a look-up per name: the HTTP transport's, on the hot path.
     */
    public interface Carrier {
        TraceContext trace();
    }

    /** The trace of the request this thread runs (set by the host while the handler runs), or null. */
    public static TraceContext current() {
        return CURRENT.get();
    }

    /** Makes {@code trace} this thread's {@link #current()} and returns what was before, for {@link #restore}. */
    public static TraceContext enter(TraceContext trace) {
        TraceContext previous = CURRENT.get();
        CURRENT.set(trace);
        return previous;
    }

    /** Puts back what {@link #enter} returned. */
    public static void restore(TraceContext previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    /** A new span of this trace whose parent is this one: the next hop (a call, a message sent). */
    public TraceContext child() {
        return new TraceContext(traceId, newSpanId(), spanId, flags, state);
    }

    /** True when the trace id is W3C's: this context can travel as a {@code traceparent}. */
    public boolean isW3c() {
        return traceId.length() == 32 && isHex(traceId) && !isZero(traceId);
    }

    /** This span as a {@code traceparent} header value, or null when the trace is not a W3C one. */
    public String traceparent() {
        return isW3c() ? "00-" + traceId + "-" + spanId + "-" + flags : null;
    }

    /** What travels in the one trace field of an RPC frame: the traceparent, or the bare id of a non-W3C trace. */
    public String wireValue() {
        String header = traceparent();
        return header != null ? header : traceId;
    }

    public boolean sampled() {
        return (Character.digit(flags.charAt(1), 16) & 1) == 1;
    }

    /** Adds this context to a request's attributes under the {@code trace.*} names. */
    public void putInto(Map<String, String> attributes) {
        attributes.put(TRACE_ID, traceId);
        attributes.put(SPAN_ID, spanId);
        attributes.put(FLAGS, flags);
        if (parentSpanId != null) {
            attributes.put(PARENT_SPAN_ID, parentSpanId);
        }
        if (state != null) {
            attributes.put(STATE, state);
        }
    }

    /** The value of a {@code trace.*} attribute name, or null (lets a lazily built attribute map answer cheaply). */
    public String attribute(String name) {
        return switch (name) {
            case TRACE_ID -> traceId;
            case SPAN_ID -> spanId;
            case FLAGS -> flags;
            case PARENT_SPAN_ID -> parentSpanId;
            case STATE -> state;
            default -> null;
        };
    }

    static String newTraceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high;
        long low;
        do {
            high = random.nextLong();
            low = random.nextLong();
        } while (high == 0 && low == 0);
        return hex(high) + hex(low);
    }

    static String newSpanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return hex(id);
    }

    private static String hex(long value) {
        char[] digits = new char[16];
        for (int i = 15; i >= 0; i--) {
            digits[i] = Character.forDigit((int) (value & 0xf), 16);
            value >>>= 4;
        }
        return new String(digits);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /** A plain id an older host sent in the RPC trace field: a request id such as {@code 1a2b3c4d-5f}. */
    private static boolean isLegacyId(String value) {
        if (value.length() > 64 || value.indexOf('-') == 2 && value.length() >= 55) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static String clip(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
