package io.cages.host.spi;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says where a config file's JSON is broken and what was expected there, in the words of someone editing the
 * file: {@code not valid JSON at line 3, column 5: expected ',' or '}' between the fields of an object,
 * found '"'}. Used for every file an operator writes (the host config, cage configs, the resources file).
 *
 * <p>Why not the parser's own message: it names parser features and classes, carries a {@code [Source: ...]}
 * block, and quotes whole unquoted words, which in a file holding passwords may be one. This text quotes at
 * most the single character the parser stopped at, never a word.
 */
public final class JsonSyntax {

    private static final String A_VALUE = "a value (a string in double quotes, a number, an object, an array, true, false or null)";
    // "'}' (code 125)", "(CTRL-CHAR, code 10)", "'é' (code 233 / 0xe9)"
    private static final Pattern UNEXPECTED = Pattern.compile("^Unexpected character \\((.*?)\\): (.*)$", Pattern.DOTALL);
    private static final Pattern CHAR = Pattern.compile("^'(.)' \\(code .*$", Pattern.DOTALL);
    private static final Pattern CONTROL = Pattern.compile("^\\(CTRL-CHAR, code (\\d+)\\)$");
    private static final Pattern CLOSE_MARKER = Pattern.compile("^Unexpected close marker '(.)': expected '(.)'.*", Pattern.DOTALL);
    private static final Pattern OPENED = Pattern.compile("(Object|Array).*?line: (\\d+), column: (\\d+)", Pattern.DOTALL);
    private static final Pattern CONTROL_BETWEEN = Pattern.compile("^Illegal character \\(\\(CTRL-CHAR, code (\\d+)\\)\\).*", Pattern.DOTALL);
    private static final Pattern CONTROL_IN_STRING = Pattern.compile("^Illegal unquoted character \\(\\(CTRL-CHAR, code (\\d+)\\)\\).*", Pattern.DOTALL);
    // What the parser appends about where it was reading: "(start marker at [Source: ...])", " at [Source: ...]".
    private static final Pattern SOURCE = Pattern.compile("\\s*(\\(\\s*(start marker at|for \\w+ starting at)\\s*)?(at )?\\[Source:.*$", Pattern.DOTALL);
    private static final Pattern INTERNALS = Pattern.compile("\\s*\\((not recognized as one since|enable|disable)[^)]*\\)|`[^`]*`|\\s*;? *(enable|disable) \\S*Feature\\S*.*$");

    private JsonSyntax() {
    }

    /** {@code not valid JSON at line L, column C: <what was expected, what was found>}. */
    public static String describe(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return "not valid JSON" + where + ": " + what(e.getOriginalMessage() == null ? "" : e.getOriginalMessage());
    }

    /** The parser's message said again: what was expected and what was found instead. */
    static String what(String message) {
        if (message.startsWith("Unexpected end-of-input")) {
            return endOfInput(message);
        }
        if (message.startsWith("Invalid numeric value") || message.startsWith("Non-standard token")
                || message.contains(" in numeric value")) {
            return "expected a number as JSON writes it (no leading zeros; digits after '-' and '.'; no NaN or Infinity)";
        }
        Matcher m = CLOSE_MARKER.matcher(message);
        if (m.matches()) {
            return "expected '" + m.group(2) + "'" + opened(message) + ", found '" + m.group(1) + "'";
        }
        m = UNEXPECTED.matcher(message);
        if (m.matches()) {
            return unexpected(found(m.group(1)), m.group(2));
        }
        if (message.startsWith("Unrecognized token")) {
            // The token is not repeated: it may be an unquoted password.
            return "expected " + A_VALUE + ", found an unquoted word";
        }
        m = CONTROL_BETWEEN.matcher(message);
        if (m.matches()) {
            return "expected only spaces, tabs and line breaks between values, found " + control(m.group(1));
        }
        m = CONTROL_IN_STRING.matcher(message);
        if (m.matches()) {
            return "expected the string's closing '\"' or an escaped character (\\n, \\t, \\uXXXX), found "
                    + control(m.group(1)) + " inside the string";
        }
        if (message.startsWith("Unrecognized character escape")) {
            return "expected an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX) after '\\' in a string";
        }
        return plain(message);
    }

    private static String endOfInput(String message) {
        if (message.contains("close marker")) {
            String closer = message.contains("Array") ? "']'" : "'}'";
            return "expected " + closer + opened(message) + ", found the end of the text";
        }
        if (message.contains("in field name")) {
            return "expected the closing '\"' of a field name, found the end of the text";
        }
        if (message.contains("closing quote") || message.contains("VALUE_STRING")) {
            return "expected the closing '\"' of a string, found the end of the text";
        }
        if (message.contains("Object entries")) {
            return "expected the object to go on and end with '}', found the end of the text";
        }
        if (message.contains("Array entries")) {
            return "expected the array to go on and end with ']', found the end of the text";
        }
        return "expected more, found the end of the text";
    }

    private static String unexpected(String found, String comment) {
        String expected;
        if (comment.startsWith("was expecting double-quote to start field name")) {
            expected = "a field name in double quotes" + ("'}'".equals(found) ? " (a ',' before '}' is not allowed)" : "");
        } else if (comment.startsWith("was expecting comma to separate Object entries")) {
            expected = "',' or '}' after a field's value";
        } else if (comment.startsWith("was expecting comma to separate Array entries")) {
            expected = "',' or ']' after an array element";
        } else if (comment.startsWith("was expecting a colon")) {
            expected = "':' after the field name";
        } else if (comment.startsWith("expected a valid value") || comment.startsWith("expected a value")) {
            expected = "']'".equals(found) ? "a value after ',' (a ',' before ']' is not allowed)" : A_VALUE;
        } else if (comment.contains("comment")) {
            return "found " + found + ": JSON has no comments";
        } else if (comment.startsWith("Expected space separating root-level values")) {
            expected = "the end of the text after the top-level value";
        } else {
            return plain(comment) + ", found " + found;
        }
        return "expected " + expected + ", found " + found;
    }

    private static String found(String description) {
        Matcher c = CHAR.matcher(description);
        if (c.matches()) {
            return "'" + c.group(1) + "'";
        }
        Matcher control = CONTROL.matcher(description);
        return control.matches() ? control(control.group(1)) : "an unexpected character";
    }

    private static String control(String code) {
        return switch (code) {
            case "9" -> "a tab";
            case "10", "13" -> "a line break";
            default -> "a control character (code " + code + ")";
        };
    }

    /** " to close the object opened at line L, column C", from the parser's start marker, when it gave one. */
    private static String opened(String message) {
        Matcher m = OPENED.matcher(message);
        if (!m.find()) {
            return "";
        }
        return " to close the " + (m.group(1).equals("Array") ? "array" : "object") + " opened at line " + m.group(2)
                + ", column " + m.group(3);
    }

    /** A message this class has no words of its own for, without the parser's source block and feature names. */
    private static String plain(String message) {
        String text = INTERNALS.matcher(SOURCE.matcher(message).replaceFirst("")).replaceAll("").trim();
        if (text.isEmpty()) {
            return "cannot be parsed";
        }
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
