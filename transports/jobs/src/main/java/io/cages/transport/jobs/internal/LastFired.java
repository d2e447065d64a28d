package io.cages.transport.jobs.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import io.cages.transport.jobs.AtomicFiles;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each cron job's last fired tick, one small file per job under the host's work folder
 * ({@code <workDir>/jobs/<cage>/<job>.last}), so a restarted host knows which ticks it missed. Written with
 * {@link AtomicFiles} (temp file, fsync, rename): a crash leaves the old tick or the new one, never half.
 */
public final class LastFired {

    private static final Logger LOG = LoggerFactory.getLogger(LastFired.class);

    private final Path dir;

    public LastFired(Path dir) {
        this.dir = dir;
    }

    /** The last fired tick, or null when the job never fired (or its file is unreadable: then it is logged). */
    public Instant read(JobSpec job) {
        Path file = fileOf(job);
        try {
            return Instant.parse(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | DateTimeParseException e) {
            LOG.warn("job {}: cannot read its last fired tick from {} ({}); missed ticks are not known", job.id(), file, e.toString());
            return null;
        }
    }

    public void write(JobSpec job, Instant tick) {
        Path file = fileOf(job);
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, (tick + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The run still happens; a restart may then fire this tick again under fire-once.
            LOG.warn("job {}: cannot record its last fired tick in {}: {}", job.id(), file, e.toString());
        }
    }

    private Path fileOf(JobSpec job) {
        return dir.resolve(job.cage()).resolve(job.name() + ".last");
    }
}
