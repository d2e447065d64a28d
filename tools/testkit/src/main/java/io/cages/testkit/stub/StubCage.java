package io.cages.testkit.stub;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The handler class of every stub cage: it runs inside the stub's bundle and hands each call to the test's
 * {@link CageHandler}. The two meet through the JVM's system properties (a java.* object both class loaders
 * see) under a key the stub jar carries as the resource {@code key}; {@code CageHandler} itself is the one
 * class both share, since the host exports the cage API from the class path.
 *
 * <p>Uses only io.cages.api and java.*: it is copied into stub jars as it is.
 */
public final class StubCage implements CageHandler {

    private final CageHandler target;

    public StubCage() {
        String key = key();
        Object handler = System.getProperties().get(key);
        if (!(handler instanceof CageHandler found)) {
            throw new IllegalStateException("no stub handler registered under " + key + " (was its host closed?)");
        }
        this.target = found;
    }

    private static String key() {
        try (InputStream in = StubCage.class.getResourceAsStream("key")) {
            if (in == null) {
                throw new IllegalStateException("the stub jar lacks its key resource");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void start(CageContext context) throws Exception {
        target.start(context);
    }

    @Override
    public void selfTest() throws Exception {
        target.selfTest();
    }

    @Override
    public Response handle(Request request) throws Exception {
        return target.handle(request);
    }

    @Override
    public void stop() throws Exception {
        target.stop();
    }
}
