package io.cages.host.admin;

/**
 * The outcome of one run fired by hand ({@code cagectl run-job}).
 *
 * @param cage      the job's cage
 * @param job       the job's name
 * @param requestId the run's request id ({@code <job>@<instant>+manual}), null when nothing ran
 * @param succeeded whether the handler answered without an error
 * @param outcome   {@code ok}, or the error code and message
 */
public record JobRun(String cage, String job, String requestId, boolean succeeded, String outcome) {
}
