package dev.kindling.ondemand.internal;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.kindling.config.Setting;
import dev.kindling.config.Settings;
import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ondemand.JobDefinition;
import dev.kindling.ondemand.JobStatus;
import dev.kindling.ondemand.OnDemandSettings;
import dev.kindling.service.ComponentContext;
import dev.kindling.service.ProblemException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cron schedules ({@code kindling.ondemand.schedule.<job>=<cron expression>}, Unix style, UTC): when
 * a schedule is due, its job is submitted through the same queue as an HTTP submission, with no params
 * and {@code trigger: "schedule"}. A run whose previous scheduled run of the same job is still queued
 * or running is skipped and counted ({@code schedule.skipped}). Missed runs are not caught up: a
 * schedule that was due more than once since the last check runs once.
 *
 * <p><b>Replicas.</b> With the PostgreSQL job store, replicas share one lease per service
 * ({@code ondemand/schedules/NAME}, {@link #onlyWhile}): only the replica that holds it submits; the
 * others let their due times pass. A due time that falls while no replica holds the lease (the
 * holder died and its lease has not run out yet) is not run, as any missed run.
 *
 * <p><b>Threads.</b> {@link #runDue} is called on the engine's timer every second (and by tests with a
 * clock they control); it is synchronized, and a due time runs once however often it is called.
 */
public final class CronSchedules {
    private static final Logger LOG = LoggerFactory.getLogger(CronSchedules.class);
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private static final class Schedule {
        final String job;
        final String expression;
        final ExecutionTime time;
        ZonedDateTime next;
        JobRecord last;

        Schedule(String job, String expression, ExecutionTime time) {
            this.job = job;
            this.expression = expression;
            this.time = time;
        }
    }

    private final List<Schedule> schedules = new ArrayList<>();
    private final JobEngine engine;
    private final ComponentContext context;
    private final Clock clock;
    private volatile java.util.function.BooleanSupplier fires = () -> true;
    private volatile String firesWhen = "";

    /**
     * @param cron job name to cron expression, as {@link #read} gives them
     * @throws ConfigurationException naming the setting of an expression that does not parse, or of a job that
     *         cannot run without params
     */
    public CronSchedules(Map<String, String> cron, Map<String, JobDefinition<?, ?>> jobs, JobEngine engine, ComponentContext context,
                         Clock clock) {
        this.engine = engine;
        this.context = context;
        this.clock = clock;
        ZonedDateTime now = now();
        cron.forEach((job, expression) -> {
            String setting = OnDemandSettings.SCHEDULE_PREFIX + job;
            ExecutionTime time;
            try {
                time = ExecutionTime.forCron(PARSER.parse(expression.trim()).validate());
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("setting " + setting + " (environment " + Setting.envNameOf(setting) + ") is '"
                        + expression + "', not a cron expression: " + e.getMessage() + "; expected five fields, Unix style, "
                        + "such as '*/15 * * * *' (every 15 minutes) or '0 2 * * *' (at 02:00 UTC)");
            }
            try {
                ParamsBinder.bind(jobs.get(job), MissingNode.getInstance());
            } catch (ProblemException e) {
                throw new ConfigurationException("setting " + setting + " schedules job '" + job + "', which cannot run without "
                        + "params (a scheduled run has none): " + e.problem().detail());
            }
            Schedule s = new Schedule(job, expression.trim(), time);
            s.next = time.nextExecution(now).orElse(null);
            schedules.add(s);
        });
    }

    /**
     * The schedules in {@code settings}: for each job, {@code kindling.ondemand.schedule.<job>} from a system
     * property, the environment ({@code KINDLING_ONDEMAND_SCHEDULE_<JOB>}) or the settings file.
     *
     * @throws ConfigurationException when a system property or file entry schedules a job that is not registered
     */
    public static Map<String, String> read(Settings settings, Set<String> jobs) {
        Map<String, String> out = new TreeMap<>();
        for (String job : jobs) {
            settings.raw(OnDemandSettings.SCHEDULE_PREFIX + job).filter(v -> !v.isBlank()).ifPresent(v -> out.put(job, v));
        }
        Set<String> named = new HashSet<>(settings.systemPropertiesWithPrefix(OnDemandSettings.SCHEDULE_PREFIX).keySet());
        named.addAll(settings.fileWithPrefix(OnDemandSettings.SCHEDULE_PREFIX).keySet());
        List<String> unknown = named.stream().map(k -> k.substring(OnDemandSettings.SCHEDULE_PREFIX.length()))
                .filter(j -> !jobs.contains(j)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("schedule settings name jobs that are not registered: "
                    + unknown.stream().map(j -> OnDemandSettings.SCHEDULE_PREFIX + j).toList() + "; jobs: " + jobs.stream().sorted().toList());
        }
        return out;
    }

    /**
     * Submits due jobs only while {@code holds} says so (this replica holds the schedules' lease); {@code what}
     * names the lease for {@code /status}.
     */
    public void onlyWhile(java.util.function.BooleanSupplier holds, String what) {
        this.fires = holds;
        this.firesWhen = what;
    }

    /** Submits every job whose schedule is due at the clock's time now; see the class javadoc. */
    public synchronized void runDue() {
        ZonedDateTime now = now();
        boolean leads = fires.getAsBoolean();
        for (Schedule s : schedules) {
            if (s.next == null || now.isBefore(s.next)) {
                continue;
            }
            if (leads) {
                fire(s, now);
            } else {
                LOG.debug("scheduled run of job {} at {} left to the replica that holds {}", s.job, now, firesWhen);
            }
            s.next = s.time.nextExecution(now).orElse(null);
        }
    }

    private void fire(Schedule s, ZonedDateTime due) {
        if (s.last != null && !s.last.state().isFinal()) {
            engine.meters(s.job).scheduleSkipped();
            LOG.info("scheduled run of job {} at {} skipped: the previous scheduled run {} is still {}", s.job, due, s.last.id(),
                    s.last.state());
            return;
        }
        try {
            s.last = engine.submit(s.job, MissingNode.getInstance(), null, JobStatus.SCHEDULE);
            LOG.info("job {} ({}) submitted by its schedule '{}'", s.last.id(), s.job, s.expression);
        } catch (ProblemException e) {
            LOG.warn("scheduled run of job {} at {} was refused: {}", s.job, due, e.problem().detail());
            context.reportError(e);
        }
    }

    /** The schedules for {@code /status}: job to {@code "<expression> (next <time>)"}. */
    public synchronized Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Schedule s : schedules) {
            String where = firesWhen.isEmpty() ? "" : fires.getAsBoolean() ? "; run here, this replica holds " + firesWhen
                    : "; run by the replica that holds " + firesWhen;
            out.put(s.job, s.expression + (s.next == null ? " (no next run" : " (next " + s.next.toInstant()) + where + ")");
        }
        return out;
    }

    public boolean isEmpty() {
        return schedules.isEmpty();
    }

    private ZonedDateTime now() {
        return ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
