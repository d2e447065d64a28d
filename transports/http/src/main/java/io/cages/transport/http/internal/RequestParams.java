package io.cages.transport.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JavaType;
import io.cages.host.spi.HostJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the parameter tree of one request from its query string and body.
 *
 * <ul>
 *   <li>Query string and form fields ({@code application/x-www-form-urlencoded}, {@code multipart/form-data})
 *   give strings; a name given more than once gives a list of strings, in order, across query and form.</li>
 *   <li>A JSON body ({@code application/json} or any {@code +json} type) must be an object; its members keep
 *   their JSON types and replace query parameters of the same name. An empty body is no parameters.</li>
 *   <li>In a multipart body, at most one part may be a file: its bytes become the request body and its media
 *   type the request's content type, and its file name and media type become the parameters
 *   {@code <field>.filename} and {@code <field>.contentType}. A second file is refused (400), and so is a
 *   multipart body without its closing boundary line (a truncated upload is never handed over as whole).</li>
 *   <li>Any other body is handed over as raw bytes with the request's {@code Content-Type}.</li>
 * </ul>
 * Parsed bodies (JSON, form, multipart without a file) are not also passed as raw bytes.
 *
 * <p>Not thread-safe; one instance per request, on the event loop.
 */
final class RequestParams {

    /** Bounds the work a hostile query or form can cause. */
    static final int MAX_PARAMS = 1024;

    private static final JavaType MAP_TYPE = HostJson.MAPPER.getTypeFactory()
            .constructMapType(LinkedHashMap.class, String.class, Object.class);

    /** A request's raw body and its media type; {@link #NONE} when the body was consumed as parameters. */
    record Body(byte[] bytes, String contentType) {
        static final Body NONE = new Body(null, null);
    }

    /** Marks lists this class built from repeated names, as opposed to JSON arrays. */
    private static final class Repeated extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Repeated(String first, String second) {
            super(4);
            add(first);
            add(second);
        }
    }

    private Map<String, Object> params;
    private boolean repeated;

    /** Adds the parameters of a raw query string (the part after {@code ?}); null or empty adds none. */
    void addQuery(String query) throws BadRequestException {
        if (query == null || query.isEmpty()) {
            return;
        }
        addDecoded(query, StandardCharsets.UTF_8, "query string");
    }

    /** Adds the parameters a body carries, or returns it as raw bytes when it is not a parameter format. */
    Body addBody(FullHttpRequest request) throws BadRequestException {
        ByteBuf content = request.content();
        if (!content.isReadable()) {
            return Body.NONE;
        }
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null) {
            int end = mediaTypeEnd(contentType);
            if (isJson(contentType, end)) {
                addJson(content);
                return Body.NONE;
            }
            if (is(contentType, end, "application/x-www-form-urlencoded")) {
                Charset charset = HttpUtil.getCharset(contentType, StandardCharsets.UTF_8);
                addDecoded(content.toString(charset), charset, "form body");
                return Body.NONE;
            }
            if (is(contentType, end, "multipart/form-data")) {
                return addMultipart(request, HttpUtil.getCharset(contentType, StandardCharsets.UTF_8));
            }
        }
        return new Body(ByteBufUtil.getBytes(content), contentType);
    }

    /** The collected tree; lists of repeated names are made unmodifiable here. */
    Map<String, Object> toMap() {
        if (params == null) {
            return Map.of();
        }
        if (repeated) {
            params.replaceAll((name, value) -> value instanceof Repeated list ? List.copyOf(list) : value);
        }
        return params;
    }

    /** Adds one string parameter; a repeated name turns into a list of its values. */
    void add(String name, String value) {
        Map<String, Object> map = map();
        Object previous = map.putIfAbsent(name, value);
        if (previous == null) {
            return;
        }
        if (previous instanceof Repeated list) {
            list.add(value);
        } else {
            map.put(name, new Repeated(String.valueOf(previous), value));
            repeated = true;
        }
    }

    private Map<String, Object> map() {
        if (params == null) {
            params = new LinkedHashMap<>();
        }
        return params;
    }

    private void addDecoded(String encoded, Charset charset, String what) throws BadRequestException {
        Map<String, List<String>> decoded;
        try {
            decoded = new QueryStringDecoder(encoded, charset, false, MAX_PARAMS, true).parameters();
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("malformed " + what + ": " + e.getMessage());
        }
        for (Map.Entry<String, List<String>> entry : decoded.entrySet()) {
            for (String value : entry.getValue()) {
                add(entry.getKey(), value);
            }
        }
    }

    private void addJson(ByteBuf content) throws BadRequestException {
        byte[] bytes;
        int offset;
        int length = content.readableBytes();
        if (content.hasArray()) {
            bytes = content.array();
            offset = content.arrayOffset() + content.readerIndex();
        } else {
            bytes = ByteBufUtil.getBytes(content);
            offset = 0;
        }
        try (JsonParser parser = HostJson.MAPPER.createParser(bytes, offset, length)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new BadRequestException("a JSON body must be an object of parameters, not " + describe(first));
            }
            Map<String, Object> object = HostJson.MAPPER.readValue(parser, MAP_TYPE);
            if (parser.nextToken() != null) {
                throw new BadRequestException("malformed JSON body: more content after the object");
            }
            if (params == null) {
                params = object;
            } else {
                params.putAll(object);
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new BadRequestException("malformed JSON body: " + ConnectionHandler.clip(String.valueOf(e.getOriginalMessage())) + where);
        } catch (IOException e) {
            throw new BadRequestException("malformed JSON body: " + e.getMessage());
        }
    }

    private Body addMultipart(FullHttpRequest request, Charset charset) throws BadRequestException {
        String closeDelimiter;
        try {
            if (!HttpPostRequestDecoder.isMultipart(request)) {
                // Netty would fall back to url-encoded parsing; a multipart type without a boundary is the client's error.
                throw new BadRequestException("malformed multipart body: the Content-Type has no boundary");
            }
            closeDelimiter = Boundary.delimiter(request.headers().get(HttpHeaderNames.CONTENT_TYPE)) + "--";
        } catch (RuntimeException e) {
            // Netty's boundary parser fails unchecked on a Content-Type it cannot read: "boundary" without "=",
            // or with an empty value (found by RequestParamsFuzzTest). Client bytes: a 400, never a 500.
            throw new BadRequestException("malformed multipart Content-Type: " + messageOf(e));
        }
        if (!hasLineStartingWith(request.content(), closeDelimiter)) {
            // Netty's decoder hands back the parts it completed and silently drops a cut-off last one, so a
            // truncated upload would reach the cage as a smaller but whole-looking form.
            throw new BadRequestException("truncated multipart body: it ends without its closing boundary line '"
                    + ConnectionHandler.clip(closeDelimiter) + "'");
        }
        HttpPostRequestDecoder decoder = null;
        try {
            // In memory only: the aggregator already bounded the body, and nothing may touch the disk.
            decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false, charset), request, charset);
            Body upload = Body.NONE;
            String uploadField = null;
            for (InterfaceHttpData data : decoder.getBodyHttpDatas()) {
                if (data instanceof FileUpload file) {
                    if (file.getFilename().isEmpty() && file.length() == 0) {
                        continue; // a browser's file input left empty
                    }
                    if (uploadField != null) {
                        throw new BadRequestException("at most one file upload per request is supported; fields '"
                                + uploadField + "' and '" + file.getName() + "' both carry files");
                    }
                    uploadField = file.getName();
                    upload = new Body(file.get(), file.getContentType());
                    add(uploadField + ".filename", file.getFilename());
                    if (file.getContentType() != null) {
                        add(uploadField + ".contentType", file.getContentType());
                    }
                } else if (data instanceof Attribute attribute) {
                    add(attribute.getName(), attribute.getValue());
                }
            }
            return upload;
        } catch (HttpPostRequestDecoder.ErrorDataDecoderException | HttpPostRequestDecoder.NotEnoughDataDecoderException
                 | IllegalArgumentException | IOException e) {
            throw new BadRequestException("malformed multipart body: " + messageOf(e));
        } catch (HttpPostRequestDecoder.TooLongFormFieldException e) {
            throw new BadRequestException("malformed multipart body: a part's header or field is longer than the decoder buffers");
        } catch (HttpPostRequestDecoder.TooManyFormFieldsException e) {
            throw new BadRequestException("multipart body has too many fields");
        } catch (RuntimeException e) {
            // Netty's decoder fails unchecked on part headers it did not validate, e.g. indexing past a
            // Content-Disposition parameter without '=' (found by RequestParamsFuzzTest). Client bytes: a 400.
            throw new BadRequestException("malformed multipart body: a part header could not be parsed");
        } finally {
            if (decoder != null) {
                decoder.destroy();
            }
        }
    }

    /**
     * Whether {@code content} has a line that starts with {@code prefix} (ASCII). Searched from the end: the
     * closing boundary is followed by at most an epilogue, so it is found at once in a well-formed body.
     */
    static boolean hasLineStartingWith(ByteBuf content, String prefix) {
        int length = prefix.length();
        int start = content.readerIndex();
        for (int at = content.writerIndex() - length; at >= start; at--) {
            if ((at == start || content.getByte(at - 1) == '\n') && startsWith(content, at, prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(ByteBuf content, int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (content.getByte(at + i) != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reaches Netty's own boundary parser (a protected static method), so the boundary checked here is the
     * one its decoder splits the body on. Never instantiated.
     */
    private static final class Boundary extends HttpPostRequestDecoder {

        private Boundary() {
            super(null);
        }

        /** {@code --<boundary>} of a multipart Content-Type that {@link HttpPostRequestDecoder#isMultipart} accepted. */
        static String delimiter(String contentType) {
            return getMultipartDataBoundary(contentType)[0];
        }
    }

    private static String messageOf(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : ConnectionHandler.clip(t.getMessage());
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }

    /** Index where the media type of a Content-Type value ends (at its parameters or trailing space). */
    static int mediaTypeEnd(String contentType) {
        int semicolon = contentType.indexOf(';');
        int end = semicolon < 0 ? contentType.length() : semicolon;
        while (end > 0 && contentType.charAt(end - 1) == ' ') {
            end--;
        }
        return end;
    }

    private static boolean is(String contentType, int end, String mediaType) {
        int start = leadingSpaces(contentType);
        return end - start == mediaType.length() && contentType.regionMatches(true, start, mediaType, 0, mediaType.length());
    }

    private static boolean isJson(String contentType, int end) {
        return is(contentType, end, "application/json")
                || (end >= 5 && contentType.regionMatches(true, end - 5, "+json", 0, 5));
    }

    private static int leadingSpaces(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }
}
