package io.cages.transport.http.internal;

import io.cages.host.admin.Admin;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's static files on the admin listener: its page, script and style from the host's resources
 * ({@code io/cages/host/console/}) and uPlot from its webjar, both on the class path. Nothing else is served:
 * the names are a fixed list, so no path from a request reaches the class loader.
 *
 * <p>These files hold no data and are served without the admin token (a browser cannot add a header to a
 * page it navigates to); everything the page shows comes from admin endpoints, which need it.
 */
final class ConsoleFiles {

    static final String PREFIX = "/console";
    private static final String HOST_FILES = "io/cages/host/console/";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    /** Request path -> (class path resource, content type); the uPlot paths are resolved on first use. */
    private static final Map<String, String[]> FILES = Map.of(
            "/console", new String[] {HOST_FILES + "index.html", "text/html; charset=utf-8"},
            "/console/", new String[] {HOST_FILES + "index.html", "text/html; charset=utf-8"},
            "/console/console.js", new String[] {HOST_FILES + "console.js", "text/javascript; charset=utf-8"},
            "/console/console.css", new String[] {HOST_FILES + "console.css", "text/css; charset=utf-8"},
            "/console/uPlot.iife.min.js", new String[] {"dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/console/uPlot.min.css", new String[] {"dist/uPlot.min.css", "text/css; charset=utf-8"});

    /** Loaded once each, when first asked for: a host whose console is never opened reads none of them. */
    private static final ConcurrentHashMap<String, byte[]> LOADED = new ConcurrentHashMap<>();

    private ConsoleFiles() {
    }

    /** Whether {@code path} (without the query) is one of the console's static files. */
    static boolean isFile(String path) {
        return FILES.containsKey(path);
    }

    /** The file at {@code path}, which {@link #isFile} accepted; 500 when the class path lacks it. */
    static FullHttpResponse get(String path, String requestId) {
        String[] file = FILES.get(path);
        byte[] body;
        try {
            body = LOADED.computeIfAbsent(path, p -> load(file[0]));
        } catch (UncheckedIOException | IllegalStateException e) {
            return Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                    "the console's file " + path + " is not on this host's class path: " + e.getMessage(), requestId);
        }
        FullHttpResponse response = Responses.bytes(HttpResponseStatus.OK, body, file[1]);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        response.headers().set("X-Content-Type-Options", "nosniff");
        return response;
    }

    private static byte[] load(String name) {
        ClassLoader loader = Admin.class.getClassLoader();
        String resource = name.startsWith(HOST_FILES) ? name : uplotRoot(loader) + name;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The webjar's folder, named by its version (read from the webjar itself, so an upgrade needs no change here). */
    private static String uplotRoot(ClassLoader loader) throws IllegalStateException {
        try (InputStream in = loader.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException("no uPlot webjar (" + UPLOT_POM + ")");
            }
            Properties pom = new Properties();
            pom.load(in);
            return "META-INF/resources/webjars/uplot/" + pom.getProperty("version") + "/";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
