package dev.kindling.ondemand.internal;

import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobError;
import dev.kindling.ondemand.JobState;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.JobStore;
import dev.kindling.service.ProblemException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a service does with the durable store when it starts: reads recent finished jobs back (so
 * {@code GET /jobs/{id}} still answers), queues again the jobs left QUEUED, and saves as FAILED the
 * jobs left RUNNING ({@code interrupted by restart}: a job is never run twice), those of a job name no
 * longer registered, those whose params no longer bind, and those beyond the queue's capacity.
 */
final class StoreRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);

    /** What recovery needs from the engine. */
    interface Target {
        long nextSeq();

        JobMeters meters(String job);

        /** Queues a recovered record; false when the queue is full. */
        boolean requeue(JobRecord r);

        /** Keeps a record that is already final. */
        void keepFinished(JobRecord r);
    }

    private final JobStore store;
    private final Map<String, JobDefinition<?, ?>> definitions;
    private final Target target;
    private final Clock clock;

    StoreRecovery(JobStore store, Map<String, JobDefinition<?, ?>> definitions, Target target, Clock clock) {
        this.store = store;
        this.definitions = definitions;
        this.target = target;
        this.clock = clock;
    }

    /** Recovers; see the class javadoc. Store failures propagate: the service does not start without its records. */
    void recover(int maxRecords) {
        List<JobStore.StoredJob> recent = store.loadRecent(maxRecords);
        for (int i = recent.size() - 1; i >= 0; i--) {
            JobStore.StoredJob s = recent.get(i);
            if (s.status().state().isFinal()) {
                target.keepFinished(JobRecord.finished(s, target.nextSeq()));
            }
        }
        for (JobStore.StoredJob s : store.loadUnfinished()) {
            recoverUnfinished(s);
        }
    }

    private void recoverUnfinished(JobStore.StoredJob s) {
        JobStatus st = s.status();
        if (st.state() == JobState.RUNNING || st.state() == JobState.CANCELLING) {
            failStored(s, new JobError(JobError.INTERRUPTED_BY_RESTART, "the service stopped while the job was running; submit it again"));
            return;
        }
        JobDefinition<?, ?> def = definitions.get(st.name());
        if (def == null) {
            failStored(s, new JobError("unknown job", "no job named '" + st.name() + "' is registered since the restart"));
            return;
        }
        Object params;
        try {
            params = ParamsBinder.bind(def, ParamsBinder.readStored(s.paramsJson()));
        } catch (ProblemException e) {
            failStored(s, new JobError("invalid params", e.problem().detail()));
            return;
        }
        JobRecord r = new JobRecord(new JobRecord.Origin(st.id(), st.name(), target.nextSeq(), st.trigger(), st.submittedAt()), def,
                params, s.paramsJson(), Duration.ofMillis(s.timeoutMillis()), target.meters(st.name()));
        if (!target.requeue(r)) {
            failStored(s, new JobError("queue full on restart", "more jobs were left queued than the queue holds"));
            return;
        }
        LOG.info("job {} ({}) queued again after a restart", r.id(), r.name());
    }

    private void failStored(JobStore.StoredJob s, JobError error) {
        JobStatus st = s.status();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        JobStatus failed = new JobStatus(st.id(), st.name(), JobState.FAILED, st.trigger(), st.submittedAt(), st.startedAt(), now,
                st.progress(), null, error, null, st.attempts());
        JobStore.StoredJob stored = new JobStore.StoredJob(failed, s.paramsJson(), s.timeoutMillis());
        store.save(stored);
        target.keepFinished(JobRecord.finished(stored, target.nextSeq()));
        LOG.warn("job {} ({}) was {} in the job store: now FAILED ({})", st.id(), st.name(), st.state(), error.type());
        JobMeters m = definitions.containsKey(st.name()) ? target.meters(st.name()) : null;
        if (m != null) {
            m.finished(JobState.FAILED, null);
        }
    }
}
