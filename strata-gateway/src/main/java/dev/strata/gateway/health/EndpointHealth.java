package dev.strata.gateway.health;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The health of one endpoint: what active checks and passive outlier detection have concluded, and
 * the slow-start ramp after (re)admission. Thread-safe: written from every event loop and the
 * checker.
 *
 * <h2>Design notes</h2>
 *
 * <h3>State</h3>
 * Two independent verdicts make the state. Active checks: {@code unhealthy_threshold} failed checks
 * in a row make the endpoint UNHEALTHY, {@code healthy_threshold} passed checks in a row make it
 * healthy again. Passive detection: {@code consecutive_gateway_failure} gateway failures in a row, or
 * {@code consecutive_5xx} 5xx answers in a row (see {@link #record}), ask the group's
 * {@link OutlierDetector} to eject it; an ejection is a deadline, not a task, so it ends by itself
 * when the clock passes it. UNHEALTHY wins over EJECTED when both hold, because it lasts until
 * checks pass, however soon the ejection runs out. With active checks disabled, {@link #activeCheck}
 * is ignored and only passive ejection applies; a connect failure counts toward ejection whatever the
 * active checks say. A new endpoint starts HEALTHY: checks may take it out, but nothing waits for
 * them before the first request.
 *
 * <h3>Two streaks</h3>
 * As in Envoy, an endpoint that cannot serve at all (it refuses connections, resets them, times out,
 * answers 502, 503 or 504) is told apart from one that answers with an error: a 500 may come from one
 * broken URL of an endpoint that serves every other URL well, and ejecting the endpoint for it would
 * take all those URLs down with it. So the gateway-failure streak counts the former and is broken by
 * any other answer, a 500 included; the 5xx streak counts every answer from 500 up, is broken by an
 * answer below 500, and ignores failures that brought no answer. Each has its own threshold, 0 to turn
 * it off; by default only gateway failures eject.
 *
 * <h3>Ejection back-off</h3>
 * The n-th ejection in a row lasts {@code min(base_ejection * n, max_ejection)}. The count decays
 * like Envoy's: after the endpoint is back, every full {@code base_ejection} it spends without being
 * ejected again takes one off, so an endpoint that fails once a day always gets the base time and one
 * that flaps gets ever longer breaks. The decay is computed from the clock when read; nothing runs
 * in the background.
 *
 * <h3>Slow start</h3>
 * On re-admission (the ejection runs out, or checks pass {@code healthy_threshold} times) the weight
 * ramps linearly from {@link #SLOW_START_FLOOR} to 1 over {@code slow_start}. The ramp's start is
 * stored as a clock reading (the end of the ejection, which lies in the future while ejected), so it
 * too needs no timer. Endpoints present when the group is built start at full weight; an endpoint
 * added to a running group starts its ramp with {@link #startSlowStart()}.
 *
 * <h3>Threading</h3>
 * Everything but the failure streak lives in one immutable {@link Snapshot}, replaced by CAS on each
 * transition (rare: checks, ejections). The per-request reads ({@link #state()}, {@link #weight()})
 * are one volatile load and at most one clock read; they take no lock and allocate nothing. The two
 * failure streaks share one separate atomic word (the 5xx streak in its high half, the gateway-failure
 * streak in its low half) because they change on failed requests; a success reads that word once and
 * only writes it when it is not already zero, so healthy traffic does not bounce its cache line
 * between event loops. Failures that end while the endpoint is ejected are requests sent before the
 * ejection and do not count toward the next one. A watcher ({@link #watch}) is told of a transition
 * once, by the thread whose CAS made it, after the new state is visible.
 */
public final class EndpointHealth {

    /** Share of a full endpoint's traffic at the start of slow start. */
    public static final double SLOW_START_FLOOR = 0.1;

    /**
     * @param activeHealthy whether active checks consider the endpoint healthy
     * @param activeStreak  passed checks in a row while unhealthy, failed checks in a row while healthy
     * @param ejectedUntil  clock reading at which the last ejection ends (in the past when not ejected)
     * @param ejections     the back-off count at the last ejection, before decay
     * @param rampStart     clock reading at which the current slow-start ramp begins
     */
    private record Snapshot(boolean activeHealthy, int activeStreak, long ejectedUntil, int ejections,
                            long rampStart) {

        Snapshot withActive(boolean healthy, int streak, long rampStart) {
            return new Snapshot(healthy, streak, ejectedUntil, ejections, rampStart);
        }

        boolean ejected(long now) {
            return now - ejectedUntil < 0;
        }
    }

    /**
     * Told of this endpoint's transitions as they happen (the dashboard's events), on the thread that
     * makes them (an event loop for an ejection, the checker for checks): quick, and allocating nothing.
     */
    public interface Transitions {
        /** Outlier detection ejected the endpoint, for the {@code inARow}-th time in a row. */
        void ejected(int inARow);

        /** Active checks took it out ({@code unhealthy_threshold} failed in a row). */
        void failedChecks();

        /** Active checks let it back in ({@code healthy_threshold} passed in a row). */
        void passedChecks();
    }

    private static final Transitions UNWATCHED = new Transitions() {
        @Override
        public void ejected(int inARow) {}

        @Override
        public void failedChecks() {}

        @Override
        public void passedChecks() {}
    };

    private final LongSupplier nanoClock;
    private volatile Settings settings;
    private volatile Transitions transitions = UNWATCHED;

    private final AtomicReference<Snapshot> snapshot;
    /** The 5xx streak in the high 32 bits, the gateway-failure streak in the low 32; see "Two streaks". */
    private final AtomicLong streaks = new AtomicLong();

    public EndpointHealth(HealthConfig config, LongSupplier nanoClock) {
        Objects.requireNonNull(config, "config");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.settings = Settings.of(config);
        long now = nanoClock.getAsLong();
        snapshot = new AtomicReference<>(new Snapshot(true, 0, now, 0, now - settings.slowStartNanos()));
    }

    /**
     * Applies a reloaded group's settings. The state (health verdict, ejection, streaks, ramp) is kept
     * and the new thresholds and times apply from the next event on; only when active checks are
     * turned off does their verdict go (an unhealthy endpoint is readmitted, with slow start).
     */
    public void reconfigure(HealthConfig config) {
        Settings next = Settings.of(Objects.requireNonNull(config, "config"));
        settings = next;
        if (next.activeEnabled()) {
            return;
        }
        // with active checks off, nothing would ever clear their last verdict: clear it now
        for (;;) {
            Snapshot s = snapshot.get();
            if (s.activeHealthy && s.activeStreak == 0) {
                return;
            }
            long rampStart = s.activeHealthy ? s.rampStart : nanoClock.getAsLong();
            if (snapshot.compareAndSet(s, s.withActive(true, 0, rampStart))) {
                return;
            }
        }
    }

    /** The settings this state machine reads, swapped as a whole by {@link #reconfigure}. */
    private record Settings(boolean activeEnabled, int healthyThreshold, int unhealthyThreshold,
                            boolean outlierEnabled, int consecutive5xx, int consecutiveGatewayFailure,
                            long baseEjectionNanos,
                            long maxEjectionNanos, long slowStartNanos) {

        static Settings of(HealthConfig config) {
            return new Settings(config.active().enabled(), config.active().healthyThreshold(),
                    config.active().unhealthyThreshold(), config.outlier().enabled(),
                    config.outlier().consecutive5xx(), config.outlier().consecutiveGatewayFailure(),
                    HealthConfig.nanos(config.outlier().baseEjection()),
                    HealthConfig.nanos(config.outlier().maxEjection()), HealthConfig.nanos(config.slowStart()));
        }
    }

    /** Who is told of this endpoint's transitions from now on (one watcher; {@code null} for none). */
    public void watch(Transitions watcher) {
        this.transitions = watcher == null ? UNWATCHED : watcher;
    }

    /** Current state; an ejection that has run out reads as {@link HealthState#HEALTHY}. */
    public HealthState state() {
        Snapshot s = snapshot.get();
        if (!s.activeHealthy) {
            return HealthState.UNHEALTHY;
        }
        return s.ejected(nanoClock.getAsLong()) ? HealthState.EJECTED : HealthState.HEALTHY;
    }

    /** Whether the endpoint may get new requests now. */
    public boolean eligible() {
        return state() == HealthState.HEALTHY;
    }

    /**
     * Slow-start share in (0, 1]; see {@link dev.strata.gateway.balance.Target#weight()}. Ramps
     * linearly from {@link #SLOW_START_FLOOR} to 1 over {@code slow_start} after (re)admission.
     */
    public double weight() {
        long ramp = settings.slowStartNanos();
        if (ramp == 0) {
            return 1.0;
        }
        long elapsed = nanoClock.getAsLong() - snapshot.get().rampStart;
        if (elapsed >= ramp) {
            return 1.0;
        }
        if (elapsed <= 0) {
            return SLOW_START_FLOOR;
        }
        return SLOW_START_FLOOR + (1 - SLOW_START_FLOOR) * elapsed / ramp;
    }

    /** Result of one active check; ignored when active checks are disabled. */
    public void activeCheck(boolean passed) {
        if (!settings.activeEnabled()) {
            return;
        }
        for (;;) {
            Snapshot s = snapshot.get();
            Snapshot next;
            boolean readmitted = false;
            boolean takenOut = false;
            if (s.activeHealthy == passed) {
                if (s.activeStreak == 0) {
                    return;
                }
                next = s.withActive(passed, 0, s.rampStart);
            } else {
                int streak = s.activeStreak + 1;
                if (passed && streak >= settings.healthyThreshold()) {
                    long now = nanoClock.getAsLong();
                    next = s.withActive(true, 0, s.ejected(now) ? s.ejectedUntil : now);
                    readmitted = true;
                } else if (!passed && streak >= settings.unhealthyThreshold()) {
                    next = s.withActive(false, 0, s.rampStart);
                    takenOut = true;
                } else {
                    next = s.withActive(s.activeHealthy, streak, s.rampStart);
                }
            }
            if (snapshot.compareAndSet(s, next)) {
                if (readmitted) {
                    streaks.set(0);
                    transitions.passedChecks();
                } else if (takenOut) {
                    transitions.failedChecks();
                }
                return;
            }
        }
    }

    /**
     * Outcome of one proxied request. Returns whether this outcome asks for the endpoint's ejection;
     * the group's {@link OutlierDetector} decides whether the ejection may happen. A
     * {@link Outcome#GATEWAY_ERROR}, {@link Outcome#CONNECT_FAILURE}, {@link Outcome#RESET} or
     * {@link Outcome#TIMEOUT} extends the gateway-failure streak, any other outcome breaks it; a
     * {@link Outcome#SERVER_ERROR} or {@link Outcome#GATEWAY_ERROR} extends the 5xx streak, a
     * {@link Outcome#SUCCESS} breaks it; a {@link Outcome#DEGRADED} answer breaks both, as a success does.
     * Once a streak has reached its threshold, every further failure
     * of its kind asks again, so that an ejection the detector refused for lack of room happens when
     * room frees up.
     */
    public boolean record(Outcome outcome) {
        Settings cfg = settings;
        if (!cfg.outlierEnabled()) {
            return false;
        }
        if (outcome == Outcome.SUCCESS || outcome == Outcome.DEGRADED) {
            if (streaks.get() != 0) {
                streaks.set(0);
            }
            return false;
        }
        if (snapshot.get().ejected(nanoClock.getAsLong())) {
            return false;
        }
        boolean answer5xx = outcome == Outcome.SERVER_ERROR || outcome == Outcome.GATEWAY_ERROR;
        boolean gatewayFailure = outcome != Outcome.SERVER_ERROR;
        for (;;) {
            long current = streaks.get();
            int streak5xx = (int) (current >>> 32);
            int gatewayStreak = (int) current;
            if (answer5xx) {
                streak5xx = saturatingIncrement(streak5xx);
            }
            gatewayStreak = gatewayFailure ? saturatingIncrement(gatewayStreak) : 0;
            long next = ((long) streak5xx << 32) | (gatewayStreak & 0xffff_ffffL);
            if (next == current || streaks.compareAndSet(current, next)) {
                return reached(streak5xx, cfg.consecutive5xx())
                        || reached(gatewayStreak, cfg.consecutiveGatewayFailure());
            }
        }
    }

    private static boolean reached(int streak, int threshold) {
        return threshold > 0 && streak >= threshold;
    }

    private static int saturatingIncrement(int streak) {
        return streak == Integer.MAX_VALUE ? streak : streak + 1;
    }

    /**
     * Ejects the endpoint now (called by {@link OutlierDetector}). Returns {@code false}, changing
     * nothing, when it is already ejected.
     */
    boolean eject() {
        for (;;) {
            Snapshot s = snapshot.get();
            long now = nanoClock.getAsLong();
            if (s.ejected(now)) {
                return false;
            }
            int ejections = ejections(s, now) + 1;
            Settings cfg = settings;
            long duration = ejections > cfg.maxEjectionNanos() / cfg.baseEjectionNanos()
                    ? cfg.maxEjectionNanos()
                    : Math.min(cfg.baseEjectionNanos() * ejections, cfg.maxEjectionNanos());
            long until = now + duration;
            long rampStart = s.rampStart - until > 0 ? s.rampStart : until;
            if (snapshot.compareAndSet(s, new Snapshot(s.activeHealthy, s.activeStreak, until, ejections, rampStart))) {
                streaks.set(0);
                transitions.ejected(ejections);
                return true;
            }
        }
    }

    /** Whether an ejection is running, whatever the active checks say. */
    boolean ejected() {
        return snapshot.get().ejected(nanoClock.getAsLong());
    }

    /** Starts a slow-start ramp now, for an endpoint added to a group that is already serving. */
    public void startSlowStart() {
        for (;;) {
            Snapshot s = snapshot.get();
            long now = nanoClock.getAsLong();
            Snapshot next = s.withActive(s.activeHealthy, s.activeStreak, s.ejected(now) ? s.ejectedUntil : now);
            if (snapshot.compareAndSet(s, next)) {
                return;
            }
        }
    }

    /** How many times in a row this endpoint has been ejected (0 once it has served well again). */
    public int ejections() {
        return ejections(snapshot.get(), nanoClock.getAsLong());
    }

    /** The back-off count: as stored while ejected, then one less per full base ejection time since. */
    private int ejections(Snapshot s, long now) {
        long sinceReadmission = now - s.ejectedUntil;
        if (s.ejections == 0 || sinceReadmission < 0) {
            return s.ejections;
        }
        long decayed = sinceReadmission / settings.baseEjectionNanos();
        return decayed >= s.ejections ? 0 : (int) (s.ejections - decayed);
    }

    /** 5xx answers in a row (see {@link #record}), for tests and the admin API. */
    public int streak5xx() {
        return (int) (streaks.get() >>> 32);
    }

    /** Gateway failures in a row (see {@link #record}), for tests and the admin API. */
    public int gatewayFailureStreak() {
        return (int) streaks.get();
    }
}
