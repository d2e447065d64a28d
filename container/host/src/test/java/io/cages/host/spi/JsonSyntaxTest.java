package io.cages.host.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Broken config JSON is reported by line, column and what was expected there, without the parser's internals. */
class JsonSyntaxTest {

    private static final String VALUE = "a value (a string in double quotes, a number, an object, an array, true, false or null)";

    private static String problem(String json) {
        return assertThrows(SettingsException.class, () -> Settings.parse(json.getBytes(StandardCharsets.UTF_8))).getMessage();
    }

    @Test
    void saysWhereAndWhatWasExpected() {
        assertEquals("not valid JSON at line 3, column 1: expected a field name in double quotes (a ',' before '}' is not allowed), found '}'",
                problem("{\n  \"a\": 1,\n}"));
        assertEquals("not valid JSON at line 2, column 12: expected ',' or '}' after a field's value, found '\"'",
                problem("{\"a\": 1,\n \"b\": true \"c\": 2}"));
        assertEquals("not valid JSON at line 1, column 6: expected ':' after the field name, found '1'", problem("{\"a\" 1}"));
        assertEquals("not valid JSON at line 1, column 3: expected a field name in double quotes, found '''", problem("{ 'a': 1}"));
        assertEquals("not valid JSON at line 1, column 4: expected a value after ',' (a ',' before ']' is not allowed), found ']'",
                problem("[1,]"));
        assertEquals("not valid JSON at line 1, column 8: expected '}' to close the object opened at line 1, column 1, found ']'",
                problem("{\"a\": 1]"));
        assertEquals("not valid JSON at line 1, column 4: expected ',' or ']' after an array element, found '2'", problem("[1 2]"));
        assertEquals("not valid JSON at line 1, column 3: expected ']' to close the array opened at line 1, column 1, found '}'",
                problem("[1}"));
        assertEquals("not valid JSON at line 2, column 2: found '/': JSON has no comments", problem("{\n # no\n}".replace('#', '/')));
    }

    @Test
    void saysWhatWasMissingAtTheEnd() {
        assertEquals("not valid JSON at line 2, column 8: expected '}' to close the object opened at line 1, column 1, found the end of the text",
                problem("{\"a\": 1,\n \"b\": 2"));
        assertEquals("not valid JSON at line 1, column 6: expected ']' to close the array opened at line 1, column 1, found the end of the text",
                problem("[1, 2"));
        assertEquals("not valid JSON at line 1, column 7: expected the object to go on and end with '}', found the end of the text",
                problem("{\"a\": "));
        assertEquals("not valid JSON at line 1, column 4: expected the closing '\"' of a field name, found the end of the text",
                problem("{\"a"));
        assertEquals("not valid JSON at line 1, column 11: expected the closing '\"' of a string, found the end of the text",
                problem("{\"a\": \"abc"));
    }

    @Test
    void neverQuotesAWordNorANumberFromTheFile() {
        String token = problem("{\"password\": s3cretPassword}");
        assertEquals("not valid JSON at line 1, column 14: expected " + VALUE + ", found an unquoted word", token);
        assertEquals("not valid JSON at line 1, column 8: expected a number as JSON writes it (no leading zeros; digits after '-' and '.'; no NaN or Infinity)",
                problem("{\"a\": 01}"));
        assertEquals("not valid JSON at line 1, column 8: expected only spaces, tabs and line breaks between values, found a control character (code 1)",
                problem("{\"a\":\t\u0001}"));
        assertEquals("not valid JSON at line 1, column 9: expected the string's closing '\"' or an escaped character (\\n, \\t, \\uXXXX), found a line break inside the string",
                problem("{\"a\": \"x\ny\"}"));
    }

    @Test
    void noParserInternalsInAnyMessage() {
        for (String json : List.of("{\"a\": ", "[1, 2", "{\"a\" 1}", "{\"a\": 1,}", "{\"a\": NaN}", "{\"a\": \"\\q\"}", "{/* x */}",
                "{\"a\": tru}", "[1}", "{\"a\": 1]", "\"abc", "{\"a\": -}", "{\"a\": 1.}", "{\"a\"", "{\"a\":\u0001}",
                "{\"a\": \"\u0002\"}", "{\"a\": 1e}", "{\"a\": 0x1F}", "[\"a\" : 1]", "{\"a\": [1, {]}")) {
            String message = problem(json);
            for (String internal : List.of("Source", "fasterxml", "Feature", "`", "' (code", "CTRL-CHAR", "JsonToken", "Unexpected character")) {
                assertFalse(message.contains(internal), json + " -> " + message);
            }
        }
    }
}
