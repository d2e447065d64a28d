package io.cages.host.spi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
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
 * <p>A value class with the accessors, equality and text of the record it was: {@link #traceId()} (32 lower-case
 * hex digits, or a caller's own non-W3C id, see above), {@link #spanId()} (16 lower-case hex digits: this hop),
 * {@link #parentSpanId()} (the caller's span, or null when this hop started the trace), {@link #flags()} (2 hex
 * digits; {@code 01}: sampled) and {@link #state()} (the {@code tracestate} header as received, or null). Every
 * request on every host makes one or two of these, so ids that are made here or read from a {@code traceparent}
 * are held as numbers and written out as hex digits only when something reads them (once, then kept).
 */
public final class TraceContext {

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
    private static final String NOT_SAMPLED = "00";
    /** tracestate is at most 32 list members of at most 256 characters each; longer is not a header we carry. */
    private static final int MAX_STATE_CHARS = 32 * 257;
    private static final ThreadLocal<TraceContext> CURRENT = new ThreadLocal<>();
    /** Lower case, as W3C writes ids. */
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    /** Each ASCII character's value as a lower-case hex digit, else -1. */
    private static final byte[] HEX_VALUES = new byte[128];

    static {
        Arrays.fill(HEX_VALUES, (byte) -1);
        for (int i = 0; i < HEX_DIGITS.length; i++) {
            HEX_VALUES[HEX_DIGITS[i]] = (byte) i;
        }
    }

    /** The W3C trace id as two numbers (high, low); both 0 for a trace that is not W3C (see {@link #w3c}). */
    private final long traceHigh;
    private final long traceLow;
    private final boolean w3c;
    /** This span and the parent's as numbers; 0 where the id was given as text (or, for the parent, none). */
    private final long span;
    private final long parentSpan;
    private final String flags;
    private final String state;
    // The ids as text: given, or written out from the numbers the first time they are read. A race writes the
    // same immutable String twice, which is harmless: no lock, no volatile read on the hot path.
    private String traceIdText;
    private String spanIdText;
    private String parentSpanIdText;

    /**
     * A context from its ids as text, as a caller that holds them names them ({@link #of} reads them from a
     * request's attributes).
     *
     * @param traceId      32 lower-case hex digits (or a caller's own non-W3C id, see above)
     * @param spanId       16 lower-case hex digits: this hop
     * @param parentSpanId the caller's span, or null when this hop started the trace
     * @param flags        2 hex digits; {@code 01}: sampled
     * @param state        the {@code tracestate} header as received, or null
     */
    public TraceContext(String traceId, String spanId, String parentSpanId, String flags, String state) {
        this.traceHigh = 0;
        this.traceLow = 0;
        this.w3c = isW3cTraceId(traceId);
        this.span = 0;
        this.parentSpan = 0;
        this.flags = flags;
        this.state = state;
        this.traceIdText = traceId;
        this.spanIdText = spanId;
        this.parentSpanIdText = parentSpanId;
    }

    private TraceContext(long traceHigh, long traceLow, boolean w3c, String traceIdText, long span, long parentSpan,
                         String parentSpanIdText, String flags, String state) {
        this.traceHigh = traceHigh;
        this.traceLow = traceLow;
        this.w3c = w3c;
        this.traceIdText = traceIdText;
        this.span = span;
        this.parentSpan = parentSpan;
        this.parentSpanIdText = parentSpanIdText;
        this.flags = flags;
        this.state = state;
    }

    /** A new trace: random ids, sampled. */
    public static TraceContext root() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high;
        long low;
        do {
            high = random.nextLong();
            low = random.nextLong();
        } while (high == 0 && low == 0);
        return new TraceContext(high, low, true, null, newSpan(), 0, null, SAMPLED, null);
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
        TraceContext hop = parse(traceparent, tracestate, true);
        if (hop != null) {
            return hop;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("ignored an invalid traceparent '{}'; the request starts a new trace", clip(traceparent));
        }
        return root();
    }

    /**
     * The caller's context as a W3C {@code traceparent} header names it, or null when the header is not valid:
     * version {@code 00} exactly as specified; a higher version is read by its first four fields, as the
     * specification asks; all-zero ids and version {@code ff} are invalid. Reads the ids as numbers, without
     * cutting the header into strings.
     */
    public static TraceContext parse(String traceparent, String tracestate) {
        return parse(traceparent, tracestate, false);
    }

    /** As {@link #parse(String, String)}; with {@code asChild}, the caller's child instead (no context in between). */
    private static TraceContext parse(String traceparent, String tracestate, boolean asChild) {
        if (traceparent == null) {
            return null;
        }
        String value = traceparent.trim(); // the same String when there is nothing to trim
        if (value.length() < 55 || value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return null;
        }
        // One pass over the digits reads the ids and checks them: a character that is not a lower-case hex digit
        // has the value -1, which sets the sign of invalid.
        long high = 0;
        long low = 0;
        long parentSpan = 0;
        int invalid = hexValue(value.charAt(0)) | hexValue(value.charAt(1)) | hexValue(value.charAt(53)) | hexValue(value.charAt(54));
        for (int i = 0; i < 16; i++) {
            int h = hexValue(value.charAt(3 + i));
            int l = hexValue(value.charAt(19 + i));
            int s = hexValue(value.charAt(36 + i));
            invalid |= h | l | s;
            high = high << 4 | h;
            low = low << 4 | l;
            parentSpan = parentSpan << 4 | s;
        }
        if (invalid < 0) {
            return null;
        }
        boolean version00 = value.charAt(0) == '0' && value.charAt(1) == '0';
        if (value.charAt(0) == 'f' && value.charAt(1) == 'f') {
            return null;
        }
        if (value.length() > 55 && (version00 || value.charAt(55) != '-')) {
            return null;
        }
        if (high == 0 && low == 0 || parentSpan == 0) {
            return null;
        }
        String state = tracestate == null || tracestate.isBlank() || tracestate.length() > MAX_STATE_CHARS ? null : tracestate.trim();
        return asChild ? new TraceContext(high, low, true, null, newSpan(), parentSpan, null, flagsAt(value, 53), state)
                : new TraceContext(high, low, true, null, parentSpan, 0, null, flagsAt(value, 53), state);
    }

    /**
     * This hop for a call whose RPC frame carried {@code value} ({@link #wireValue()}): as {@link #incoming}, except
     * that a plain id an older host sent (its request id) stays the trace id; null or empty starts a new trace.
     */
    public static TraceContext fromWire(String value) {
        if (value == null || value.isEmpty()) {
            return root();
        }
        TraceContext hop = parse(value, null, true);
        if (hop != null) {
            return hop;
        }
        if (isLegacyId(value)) {
            return new TraceContext(0, 0, false, value, newSpan(), 0, null, SAMPLED, null);
        }
        return incoming(value, null); // not valid either way: a new trace, said at debug
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
            return new TraceContext(0, 0, isW3cTraceId(traceId), traceId, newSpan(), 0, null, SAMPLED, null);
        }
        String flags = attributes.get(FLAGS);
        return new TraceContext(traceId, spanId, attributes.get(PARENT_SPAN_ID), flags != null ? flags : SAMPLED,
                attributes.get(STATE));
    }

    /**
     * An attribute map that holds its request's context as it is ({@link #putInto} would have copied it), so
     * {@link #of} takes it without a look-up per name: the HTTP and RPC transports', on the hot path.
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
        // Texts already written out (or given) are handed on rather than written again.
        return new TraceContext(traceHigh, traceLow, w3c, traceIdText, newSpan(), span, spanIdText, flags, state);
    }

    /** 32 lower-case hex digits, or the caller's own id of a trace that is not W3C. */
    public String traceId() {
        String text = traceIdText;
        if (text == null && (traceHigh != 0 || traceLow != 0)) {
            byte[] digits = new byte[32];
            putHex(digits, 0, traceHigh);
            putHex(digits, 16, traceLow);
            text = new String(digits, StandardCharsets.ISO_8859_1);
            traceIdText = text;
        }
        return text;
    }

    /** This hop: 16 lower-case hex digits. */
    public String spanId() {
        String text = spanIdText;
        if (text == null && span != 0) {
            text = hex(span);
            spanIdText = text;
        }
        return text;
    }

    /** The caller's span, or null when this hop started the trace. */
    public String parentSpanId() {
        String text = parentSpanIdText;
        if (text == null && parentSpan != 0) {
            text = hex(parentSpan);
            parentSpanIdText = text;
        }
        return text;
    }

    /** 2 hex digits; {@code 01}: sampled. */
    public String flags() {
        return flags;
    }

    /** The {@code tracestate} header as received, or null. */
    public String state() {
        return state;
    }

    /** True when the trace id is W3C's: this context can travel as a {@code traceparent}. */
    public boolean isW3c() {
        return w3c;
    }

    /** This span as a {@code traceparent} header value, or null when the trace is not a W3C one. */
    public String traceparent() {
        if (!w3c) {
            return null;
        }
        if ((traceHigh != 0 || traceLow != 0) && span != 0 && flags.length() == 2) {
            // Written straight from the numbers: a call's span id is read nowhere else on the caller's side.
            byte[] header = new byte[55];
            header[0] = '0';
            header[1] = '0';
            header[2] = '-';
            putHex(header, 3, traceHigh);
            putHex(header, 19, traceLow);
            header[35] = '-';
            putHex(header, 36, span);
            header[52] = '-';
            header[53] = (byte) flags.charAt(0);
            header[54] = (byte) flags.charAt(1);
            return new String(header, StandardCharsets.ISO_8859_1);
        }
        return "00-" + traceId() + "-" + spanId() + "-" + flags;
    }

    /** What travels in the one trace field of an RPC frame: the traceparent, or the bare id of a non-W3C trace. */
    public String wireValue() {
        return w3c ? traceparent() : traceId();
    }

    public boolean sampled() {
        return (Character.digit(flags.charAt(1), 16) & 1) == 1;
    }

    /** Adds this context to a request's attributes under the {@code trace.*} names. */
    public void putInto(Map<String, String> attributes) {
        attributes.put(TRACE_ID, traceId());
        attributes.put(SPAN_ID, spanId());
        attributes.put(FLAGS, flags);
        String parent = parentSpanId();
        if (parent != null) {
            attributes.put(PARENT_SPAN_ID, parent);
        }
        if (state != null) {
            attributes.put(STATE, state);
        }
    }

    /** The value of a {@code trace.*} attribute name, or null (lets a lazily built attribute map answer cheaply). */
    public String attribute(String name) {
        return switch (name) {
            case TRACE_ID -> traceId();
            case SPAN_ID -> spanId();
            case FLAGS -> flags;
            case PARENT_SPAN_ID -> parentSpanId();
            case STATE -> state;
            default -> null;
        };
    }

    /** Equal when every id, the flags and the state are: what the record this class was compared. */
    @Override
    public boolean equals(Object other) {
        return other instanceof TraceContext that
                && Objects.equals(traceId(), that.traceId())
                && Objects.equals(spanId(), that.spanId())
                && Objects.equals(parentSpanId(), that.parentSpanId())
                && Objects.equals(flags, that.flags)
                && Objects.equals(state, that.state);
    }

    @Override
    public int hashCode() {
        return Objects.hash(traceId(), spanId(), parentSpanId(), flags, state);
    }

    @Override
    public String toString() {
        return "TraceContext[traceId=" + traceId() + ", spanId=" + spanId() + ", parentSpanId=" + parentSpanId()
                + ", flags=" + flags + ", state=" + state + "]";
    }

    static String newTraceId() {
        return root().traceId();
    }

    static String newSpanId() {
        return hex(newSpan());
    }

    private static String hex(long value) {
        byte[] digits = new byte[16];
        putHex(digits, 0, value);
        return new String(digits, StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code value} as 16 lower-case hex digits at {@code at}. */
    private static void putHex(byte[] out, int at, long value) {
        for (int i = at + 15; i >= at; i--) {
            out[i] = HEX_DIGITS[(int) value & 0xf];
            value >>>= 4;
        }
    }

    private static long newSpan() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return id;
    }

    /** The flags at {@code from} (two hex digits, checked): the two common values without a new String. */
    private static String flagsAt(String value, int from) {
        char high = value.charAt(from);
        char low = value.charAt(from + 1);
        if (high == '0' && low == '1') {
            return SAMPLED;
        }
        if (high == '0' && low == '0') {
            return NOT_SAMPLED;
        }
        return value.substring(from, from + 2);
    }

    /** The value of a lower-case hex digit, else -1. */
    private static int hexValue(char c) {
        return c < HEX_VALUES.length ? HEX_VALUES[c] : -1;
    }

    private static boolean isW3cTraceId(String traceId) {
        return traceId != null && traceId.length() == 32 && isHex(traceId, 0, 32) && !isZero(traceId);
    }

    /** Lower-case hex digits only, as W3C writes them. */
    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
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
