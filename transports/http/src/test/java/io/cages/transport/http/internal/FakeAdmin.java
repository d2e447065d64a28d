package io.cages.transport.http.internal;

import io.cages.host.admin.Admin;
import io.cages.host.admin.CageInfo;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.admin.DeployRecord;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;

/** An Admin that answers what the test sets and remembers what it was asked. */
final class FakeAdmin implements Admin {

    static final Instant AT = Instant.parse("2026-11-25T10:15:30Z");

    volatile List<CageInfo> cages = List.of();
    volatile List<DeployRecord> history = List.of();
    volatile List<ConfigProblem> problems = List.of();
    volatile BiFunction<byte[], String, DeployRecord> deploy = (jar, origin) -> record("DEPLOY", "hello", origin, DeployRecord.Outcome.ACTIVE, null);
    volatile BiFunction<String, String, DeployRecord> undeploy = (cage, origin) -> record("UNDEPLOY", cage, origin, DeployRecord.Outcome.UNDEPLOYED, null);
    volatile byte[] lastJar;
    volatile String lastOrigin;
    volatile String lastCage;
    volatile Thread lastThread;
    volatile List<io.cages.host.admin.JobInfo> jobs = List.of();
    /** Null: no health monitor (GET /health answers a fixed ok, as before there was one). */
    volatile io.cages.host.admin.HealthView health;
    volatile BiFunction<String, String, io.cages.host.admin.JobRun> runJob = (cage, job) -> null;

    static DeployRecord record(String action, String cage, String origin, DeployRecord.Outcome outcome, String reason) {
        return new DeployRecord(7, AT, action, cage, "1.0.0", null, origin, outcome, reason, 12);
    }

    @Override
    public List<CageInfo> cages() {
        lastThread = Thread.currentThread();
        return cages;
    }

    @Override
    public io.cages.host.admin.HealthView health() {
        return health;
    }

    @Override
    public List<DeployRecord> history() {
        return history;
    }

    @Override
    public DeployRecord deploy(byte[] jar, String origin) {
        lastThread = Thread.currentThread();
        lastJar = jar;
        lastOrigin = origin;
        return deploy.apply(jar, origin);
    }

    @Override
    public DeployRecord undeploy(String cage, String origin) {
        lastCage = cage;
        lastOrigin = origin;
        return undeploy.apply(cage, origin);
    }

    @Override
    public List<ConfigProblem> configProblems() {
        return problems;
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode resources() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }

    @Override
    public List<io.cages.host.admin.JobInfo> jobs() {
        return jobs;
    }

    @Override
    public io.cages.host.admin.JobRun runJob(String cage, String name) {
        lastThread = Thread.currentThread();
        return runJob.apply(cage, name);
    }

    @Override
    public List<io.cages.host.admin.FlockMember> flock() {
        return List.of();
    }
}
