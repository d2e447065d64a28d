package io.cages.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One HTTP response parsed from raw bytes, the way a client sees it on the wire. */
record RawResponse(String statusLine, int status, Map<String, String> headers, byte[] body) {

    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
        try {
            return FakeDispatcher.JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text(), e);
        }
    }

    /**
     * Parses as many complete responses as {@code wire} holds (ISO-8859-1 text of the bytes) into {@code out};
     * returns the index where the first incomplete one starts.
     */
    static int parse(String wire, List<RawResponse> out) {
        int at = 0;
        while (true) {
            int headEnd = wire.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                return at;
            }
            String[] lines = wire.substring(at, headEnd).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            String length = headers.get("content-length");
            int bodyLength = length == null ? 0 : Integer.parseInt(length);
            int bodyStart = headEnd + 4;
            if (wire.length() < bodyStart + bodyLength) {
                return at;
            }
            byte[] body = wire.substring(bodyStart, bodyStart + bodyLength).getBytes(StandardCharsets.ISO_8859_1);
            out.add(new RawResponse(lines[0], status, headers, body));
            at = bodyStart + bodyLength;
        }
    }

    @Override
    public String toString() {
        return statusLine + " " + headers + " " + text();
    }
}
