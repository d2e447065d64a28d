package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns the admin API's answers to deploy and undeploy into one line for people and an exit code for
 * scripts.
 */
public final class Outcomes {

    private Outcomes() {
    }

    /** True when {@code body} looks like a deploy record (it has an outcome). */
    public static boolean isRecord(JsonNode body) {
        return body != null && body.isObject() && body.hasNonNull("outcome");
    }

    /**
     * The exit code for an answer: {@link ExitCodes#OK} for a 2xx whose record (if any) did not fail,
     * {@link ExitCodes#FAILED} for anything else (a FAILED record, 4xx, 5xx, redirects).
     */
    public static int exitCode(int status, JsonNode body) {
        boolean ok = status >= 200 && status < 300;
        if (ok && isRecord(body) && "FAILED".equalsIgnoreCase(Json.text(body, "outcome"))) {
            return ExitCodes.FAILED;
        }
        return ok ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /**
     * One line about a deploy record, e.g. {@code deployed hello 1.0.1 (was 1.0.0) in 42 ms} or
     * {@code FAILED: deploy of hello 1.0.1: self-test failed: boom; 1.0.0 stays active}.
     *
     * @param fallbackSubject what to call the target when the record names no cage (e.g. the jar's name)
     */
    public static String describe(JsonNode record, String fallbackSubject) {
        String outcome = Json.text(record, "outcome");
        String action = Json.text(record, "action");
        String cage = Json.text(record, "cage");
        String version = Json.text(record, "version");
        String previous = Json.text(record, "previous");
        String duration = Json.text(record, "durationMs");
        boolean undeploy = "UNDEPLOY".equalsIgnoreCase(action) || "UNDEPLOYED".equalsIgnoreCase(outcome);

        String subject = cage == null ? fallbackSubject : version == null ? cage : cage + " " + version;
        String took = duration == null ? "" : " in " + duration + " ms";

        if ("FAILED".equalsIgnoreCase(outcome)) {
            String reason = Json.text(record, "reason");
            String line = "FAILED: " + (undeploy ? "undeploy" : "ROLLBACK".equalsIgnoreCase(action) ? "rollback" : "deploy") + " of " + subject + ": "
                    + (reason == null || reason.isBlank() ? "no reason given" : Text.cell(reason));
            if (!undeploy) {
                line += previous == null ? "; nothing changed" : "; " + previous + " stays active";
            }
            return line;
        }
        if (undeploy) {
            return "undeployed " + subject + took;
        }
        if ("ROLLBACK".equalsIgnoreCase(action)) {
            return "rolled back " + (cage == null ? fallbackSubject : cage) + " to " + version
                    + (previous == null ? "" : " (was " + previous + ")") + took;
        }
        String was = previous == null ? "" : previous.equals(version) ? " (replaced the same version)" : " (was " + previous + ")";
        return "deployed " + subject + was + took;
    }

    /**
     * One line about an error answer: the {@code {error, message, requestId}} body when there is one,
     * otherwise the status and the start of the body.
     */
    public static String describeError(int status, JsonNode body, String rawBody) {
        if (body != null && body.isObject() && (body.hasNonNull("message") || body.hasNonNull("error"))) {
            String message = Json.text(body, "message");
            String error = Json.text(body, "error");
            String requestId = Json.text(body, "requestId");
            StringBuilder sb = new StringBuilder("error: ").append(Text.cell(message == null ? error : message));
            sb.append(" (HTTP ").append(status);
            if (error != null && message != null) {
                sb.append(' ').append(error);
            }
            if (requestId != null) {
                sb.append(", request ").append(requestId);
            }
            return sb.append(')').toString();
        }
        String text = rawBody == null || rawBody.isBlank() ? "empty answer" : Text.abbreviate(rawBody, 200);
        return "error: HTTP " + status + " from the admin API: " + text;
    }
}
