package io.cages.examples.greeter;

import io.cages.api.CageConfig;
import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;

/**
 * Greets in the languages listed in its config file ({@code configs/cages/greeter.json}); edit the file and
 * the running cage greets differently, with no restart. Shows typed parameters and typed config.
 *
 * <p>{@code POST /greeter/greet} with {@code {"name":"Ada","language":"fr"}} answers
 * {@code {"greeting":"Bonjour, Ada!","language":"fr"}}.
 */
public final class GreeterCage implements CageHandler {

    /** The parameters of {@code greet}. */
    public record GreetParams(String name, String language) {
    }

    /** The config file's shape. */
    public record Settings(Map<String, String> greetings, String defaultLanguage) {
        static final Settings DEFAULTS = new Settings(Map.of("en", "Hello"), "en");

        Settings orDefaults() {
            return new Settings(greetings == null || greetings.isEmpty() ? DEFAULTS.greetings : greetings,
                    defaultLanguage == null ? DEFAULTS.defaultLanguage : defaultLanguage);
        }
    }

    private volatile Settings settings = Settings.DEFAULTS;
    private System.Logger log;

    @Override
    public void start(CageContext context) {
        log = context.logger();
        apply(context.config());
        context.onConfigChange(this::apply);
    }

    private void apply(CageConfig config) {
        settings = config.as(Settings.class).orDefaults();
        log.log(System.Logger.Level.INFO, "greeter speaks {0}", settings.greetings().keySet());
    }

    @Override
    public void selfTest() {
        Settings s = settings;
        if (!s.greetings().containsKey(s.defaultLanguage())) {
            throw new IllegalStateException("defaultLanguage '" + s.defaultLanguage() + "' is not among the greetings " + s.greetings().keySet());
        }
    }

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "greet" -> greet(request.params(GreetParams.class));
            case "languages" -> Response.of(settings.greetings());
            default -> throw CageException.notFound("cage 'greeter' has no operation '" + request.operation()
                    + "' (it has greet, languages)");
        };
    }

    private Response greet(GreetParams params) throws CageException {
        if (params.name() == null || params.name().isBlank()) {
            throw CageException.badRequest("parameter 'name' is required");
        }
        Settings s = settings;
        String language = params.language() == null ? s.defaultLanguage() : params.language();
        String word = s.greetings().get(language);
        if (word == null) {
            throw CageException.badRequest("language '" + language + "' is not configured; try one of " + s.greetings().keySet());
        }
        return Response.of(Map.of("greeting", word + ", " + params.name() + "!", "language", language));
    }
}
