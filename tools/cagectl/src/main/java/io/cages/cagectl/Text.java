package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.math.BigDecimal;

/** Small text helpers for table cells and messages. */
public final class Text {

    /** What an absent value looks like in a table. */
    public static final String NONE = "-";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Text() {
    }

    /** One-line form of {@code s} ({@link #NONE} for null or blank): newlines and tabs become spaces. */
    public static String cell(String s) {
        if (s == null || s.isBlank()) {
            return NONE;
        }
        return s.strip().replaceAll("\\s*[\\r\\n\\t]+\\s*", " ");
    }

    /** {@link #cell} of a JSON field. */
    public static String cell(JsonNode node, String field) {
        return cell(Json.text(node, field));
    }

    /** At most {@code max} characters of {@code s} on one line, with "..." when cut. */
    public static String abbreviate(String s, int max) {
        String one = s == null ? "" : cell(s);
        return one.length() <= max ? one : one.substring(0, Math.max(0, max - 3)) + "...";
    }

    /**
     * A timestamp from the admin API as local time: ISO-8601 text, or epoch seconds (maybe with a fraction)
     * or epoch milliseconds as a number. Anything else is shown as it came.
     */
    public static String time(JsonNode at, ZoneId zone) {
        if (at == null || at.isNull() || at.isMissingNode()) {
            return NONE;
        }
        Instant instant = null;
        if (at.isNumber()) {
            instant = fromEpochNumber(at.decimalValue());
        } else if (at.isTextual()) {
            String s = at.asText().strip();
            try {
                instant = Instant.parse(s);
            } catch (DateTimeParseException e) {
                try {
                    instant = fromEpochNumber(new BigDecimal(s));
                } catch (NumberFormatException notANumber) {
                    return cell(s);
                }
            }
        }
        return instant == null ? cell(at.asText()) : TIME.format(instant.atZone(zone));
    }

    private static Instant fromEpochNumber(BigDecimal n) {
        // Anything beyond 10^11 seconds (year 5138) must be milliseconds.
        if (n.abs().compareTo(BigDecimal.valueOf(100_000_000_000L)) > 0) {
            return Instant.ofEpochMilli(n.longValue());
        }
        long seconds = n.longValue();
        long nanos = n.subtract(BigDecimal.valueOf(seconds)).movePointRight(9).longValue();
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
