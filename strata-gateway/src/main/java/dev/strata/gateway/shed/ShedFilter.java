package dev.strata.gateway.shed;

import dev.strata.gateway.filter.FilterBuild;
import dev.strata.gateway.filter.FilterContext;
import dev.strata.gateway.filter.FilterType;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.LocalResponse;
import dev.strata.gateway.filter.Suspension;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.filter.WarmupMode;

/**
 * {@code shed}: a request of the route takes a slot of its upstream group's concurrency limit, waits a
 * little for one (suspended, at most {@code queue_size} requests for at most {@code queue_timeout}), or
 * is answered 503 at once with {@code Retry-After}. Paths under {@code exempt_paths} pass untouched.
 */
final class ShedFilter implements HttpFilter {

    static final class Type implements FilterType<ShedSettings> {
        @Override
        public String name() {
            return "shed";
        }

        @Override
        public Class<ShedSettings> settings() {
            return ShedSettings.class;
        }

        @Override
        public WarmupMode warmup() {
            return WarmupMode.THROWAWAY_STATE; // the warm-up sheds on limits of its own, thrown away after
        }

        @Override
        public HttpFilter create(ShedSettings settings, FilterBuild build) {
            ShedSettings s = (settings == null ? ShedSettings.DEFAULTS : settings).validated();
            String group = build.upstream();
            if (group == null) {
                return context -> Verdict.CONTINUE; // a route that answers itself loads no group
            }
            // one limit per group and settings: routes that shed a group alike share it, a reload keeps it
            ShedResource resource = build.state("resource", ShedResource.class, ShedResource::new);
            GroupLimiter limiter = build.state("group/" + group + "/" + s, GroupLimiter.class,
                    () -> new GroupLimiter(group, s, build.meters(), resource));
            if (!resource.shows(group)) {
                limiter.announce();
            }
            build.admin(resource.resource());
            return new ShedFilter(limiter, s);
        }
    }

    private final GroupLimiter limiter;
    private final String[] exempt;
    private final java.time.Duration queueTimeout;
    private final boolean queues;
    private final Verdict shed;

    private ShedFilter(GroupLimiter limiter, ShedSettings settings) {
        this.limiter = limiter;
        this.exempt = settings.exemptPaths().toArray(new String[0]);
        this.queueTimeout = settings.queueTimeout();
        this.queues = settings.queueSize() > 0;
        this.shed = Verdict.respond(LocalResponse.problem(503,
                "the service is at its concurrency limit; retry after the time Retry-After gives", null,
                settings.retryAfterSeconds()));
    }

    @Override
    public Verdict onRequest(FilterContext context) {
        if (exempt.length > 0 && exempt(context.request().path())) {
            return Verdict.CONTINUE;
        }
        if (!limiter.announced()) {
            limiter.announce();
        }
        int inFlight = limiter.tryAcquire();
        if (inFlight > 0) {
            context.observe(Permit.held(limiter, inFlight));
            return Verdict.CONTINUE;
        }
        if (queues && limiter.waiting() < limiter.settings().queueSize()) {
            Permit p = Permit.waiting(limiter);
            context.observe(p);
            Suspension s = context.suspend(queueTimeout, shed);
            p.waitOn(s);
            if (limiter.enqueue(p)) {
                return s.verdict();
            }
            p.cancel(); // the queue filled meanwhile
            s.resume(shed);
            limiter.shedAtLimit();
            return s.verdict();
        }
        limiter.shedAtLimit();
        return shed;
    }

    private boolean exempt(String path) {
        for (String prefix : exempt) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
