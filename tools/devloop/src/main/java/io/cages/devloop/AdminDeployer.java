package io.cages.devloop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Deploys a bundle through a running host's admin API, {@code POST /deploy}: the normal swap path (staged,
 * started, self-tested, switched), so a failed start or self-test leaves the serving version in place.
 */
final class AdminDeployer {

    /** The admin API's answer: the swap's outcome, the versions involved, and the reason when it failed. */
    record Outcome(boolean active, String cage, String version, String previous, String reason) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEPLOY_TIMEOUT = Duration.ofMinutes(3); // a swap waits for start and self-test

    private final URI deployUri;
    private final String admin;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    AdminDeployer(String adminUrl) {
        String base = adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl;
        String user = System.getProperty("user.name", "unknown");
        try {
            this.deployUri = URI.create(base + "/deploy?origin=" + URLEncoder.encode("cages-dev:" + user, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new DevLoopException("--admin " + adminUrl + " is not a URL: " + e.getMessage());
        }
        if (deployUri.getScheme() == null || !deployUri.getScheme().startsWith("http") || deployUri.getHost() == null) {
            throw new DevLoopException("--admin " + adminUrl + " is not an http:// URL");
        }
        this.admin = base;
    }

    String admin() {
        return admin;
    }

    Outcome deploy(byte[] jar) {
        HttpResponse<String> response;
        try {
            response = client.send(HttpRequest.newBuilder(deployUri).timeout(DEPLOY_TIMEOUT)
                    .header("Content-Type", "application/java-archive")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DevLoopException("the admin API at " + admin + " could not be reached (" + e + "); is the host running?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevLoopException("interrupted while deploying");
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.has("outcome")) {
            String text = response.body() == null ? "" : response.body().strip();
            if (body != null && body.hasNonNull("message")) {
                text = body.get("message").asText();
            }
            throw new DevLoopException("the admin API answered HTTP " + response.statusCode() + ": "
                    + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
        }
        return new Outcome("ACTIVE".equals(body.path("outcome").asText()), text(body, "cage"), text(body, "version"),
                text(body, "previous"), text(body, "reason"));
    }

    /** The version of {@code cage} serving now, or null when none is or the host cannot say. */
    String activeVersion(String cage) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(admin + "/cages"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode info : JSON.readTree(response.body())) {
                if (cage.equals(info.path("name").asText())) {
                    return text(info, "activeVersion");
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: the first deploy will tell
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
