package io.cages.host.spi;

import io.cages.host.admin.JobInfo;
import io.cages.host.admin.JobRun;
import java.util.List;

/** What the transport that runs scheduled jobs offers the admin API ({@link TransportContext#offerJobs}). */
public interface JobsAdmin {

    List<JobInfo> jobs();

    /**
     * Fires job {@code name} once now and waits for its outcome (bounded by the run's deadline).
     *
     * @param cage the job's cage, or null when the name is unique across cages
     * @return null when there is no such job (or the name is ambiguous without a cage)
     */
    JobRun runJob(String cage, String name);
}
