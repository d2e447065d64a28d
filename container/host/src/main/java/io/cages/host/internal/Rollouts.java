package io.cages.host.internal;

import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.Rollout;
import io.cages.host.admin.Rollout.Sample;
import io.cages.host.admin.Rollout.State;
import io.cages.host.admin.WatchRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guarded deploys: take the old version's baseline, deploy, watch the new version, and roll back live when it
 * crosses the rule ({@link RolloutJudge}). The watch polls the counts a few times a second, so a version that
 * fails clearly is rolled back as soon as it has answered enough requests to judge, not only at the window's end.
 */
final class Rollouts {

    private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
    static final int KEPT = 50;
    private static final long POLL_MS = 100;

    private final DeployFolder folder;
    private final VersionWatch watch;
    /** The cage's last minute before the swap; {@link Sample#NONE} when metrics are off. */
    private final Function<String, Sample> baselines;
    /** The cage's active version now, or null. */
    private final Function<String, String> activeVersions;
    private final AtomicLong ids = new AtomicLong();
    // CONCURRENCY: guarded by itself.
    private final LinkedHashMap<Long, Rollout> recent = new LinkedHashMap<>();

    Rollouts(DeployFolder folder, VersionWatch watch, Function<String, Sample> baselines, Function<String, String> activeVersions) {
        this.activeVersions = activeVersions;
        this.folder = folder;
        this.watch = watch;
        this.baselines = baselines;
    }

    List<Rollout> all() {
        synchronized (recent) {
            return List.copyOf(new ArrayList<>(recent.values()));
        }
    }

    Rollout deploy(byte[] jar, String origin, WatchRule rule) {
        long id = ids.incrementAndGet();
        Instant at = Instant.now();
        String cage = cageNameOf(jar);
        // Before the swap, while only the old version serves. A process cage's name is known after its deploy only.
        Sample baseline = cage == null ? null : baselines.apply(cage);
        VersionWatch.Watched counts = cage == null ? null : watch.watch(cage);
        try {
            DeployRecord deployed = folder.deployFromAdmin(jar, origin);
            if (!deployed.succeeded()) {
                return publish(new Rollout(id, at, deployed.cage(), deployed.version(), deployed.previous(), State.FAILED,
                        "deploy failed: " + deployed.reason(), rule, baseline == null ? Sample.NONE : baseline, Sample.NONE, deployed, null));
            }
            if (cage == null) {
                cage = deployed.cage();
                baseline = baselines.apply(cage);
                counts = watch.watch(cage);
            }
            if (deployed.previous() == null || rule.watchMs() == 0) {
                return publish(new Rollout(id, at, cage, deployed.version(), deployed.previous(), State.PASSED,
                        deployed.previous() == null ? "passed: a first deploy of the cage has no old version to compare with; judged on its self-test"
                                : "passed: no watch asked for", rule, baseline, Sample.NONE, deployed, null));
            }
            return watchAndJudge(id, at, cage, deployed, rule, baseline, counts);
        } finally {
            if (counts != null) {
                watch.stop(counts);
            }
        }
    }

    private Rollout watchAndJudge(long id, Instant at, String cage, DeployRecord deployed, WatchRule rule, Sample baseline,
                                  VersionWatch.Watched counts) {
        long deadline = System.nanoTime() + rule.watchMs() * 1_000_000;
        Sample observed = counts.sampleOf(deployed.version());
        publish(new Rollout(id, at, cage, deployed.version(), deployed.previous(), State.WATCHING, null, rule, baseline, observed, deployed, null));
        RolloutJudge.Verdict verdict;
        while (true) {
            boolean over = System.nanoTime() - deadline >= 0;
            observed = counts.sampleOf(deployed.version());
            String active = activeVersions.apply(cage);
            if (!deployed.version().equals(active)) {
                // Someone else swapped the cage meanwhile: rolling back now would undo their change, not this one.
                String reason = "not judged: " + (active == null ? "the cage was undeployed" : "version " + active + " replaced it")
                        + " during its watch";
                LOG.warn("rollout {} of cage {} {}: {}", id, cage, deployed.version(), reason);
                return publish(new Rollout(id, at, cage, deployed.version(), deployed.previous(), State.REPLACED, reason,
                        rule, baseline, observed, deployed, null));
            }
            verdict = RolloutJudge.judge(rule, baseline, observed, over);
            if (verdict != null) {
                break;
            }
            publish(new Rollout(id, at, cage, deployed.version(), deployed.previous(), State.WATCHING, null, rule, baseline, observed, deployed, null));
            try {
                Thread.sleep(Math.max(1, Math.min(POLL_MS, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                verdict = new RolloutJudge.Verdict(false, "passed unjudged: the watch was interrupted (the host is stopping)");
                break;
            }
        }
        if (!verdict.failed()) {
            LOG.info("rollout {} of cage {} {}: {}", id, cage, deployed.version(), verdict.reason());
            return publish(new Rollout(id, at, cage, deployed.version(), deployed.previous(), State.PASSED, verdict.reason(), rule, baseline, observed, deployed, null));
        }
        LOG.warn("rollout {} of cage {} {}: {}; rolling back to {}", id, cage, deployed.version(), verdict.reason(), deployed.previous());
        DeployRecord rollback = folder.rollbackFromAdmin(cage, "rollout:" + deployed.origin(), verdict.reason());
        if (rollback == null || !rollback.succeeded()) {
            String why = rollback == null ? "no previous version was kept" : rollback.reason();
            return publish(new Rollout(id, at, cage, deployed.version(), deployed.previous(), State.ROLLBACK_FAILED,
                    verdict.reason() + "; the rollback failed (" + why + "), so " + deployed.version() + " still serves",
                    rule, baseline, observed, deployed, rollback));
        }
        return publish(new Rollout(id, at, cage, deployed.version(), deployed.previous(), State.ROLLED_BACK, verdict.reason(),
                rule, baseline, observed, deployed, rollback));
    }

    private Rollout publish(Rollout rollout) {
        synchronized (recent) {
            recent.put(rollout.id(), rollout);
            while (recent.size() > KEPT) {
                recent.remove(recent.keySet().iterator().next());
            }
        }
        return rollout;
    }

    private static String cageNameOf(byte[] jar) {
        try {
            return CageManifest.read(jar).name();
        } catch (DeployException | RuntimeException notABundle) {
            return null; // a process cage's archive, or not a cage at all: the deploy says which
        }
    }
}
