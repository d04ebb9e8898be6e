package dev.strata.gateway.limit;

import dev.strata.gateway.config.Cidr;
import dev.strata.gateway.filter.FilterBuild;
import dev.strata.gateway.filter.FilterContext;
import dev.strata.gateway.filter.FilterType;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.LocalResponse;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.filter.ResponseEdits;
import dev.strata.gateway.filter.ResponseObserver;
import dev.strata.gateway.filter.ResponseView;
import dev.strata.gateway.filter.Suspension;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.filter.WarmupMode;
import dev.strata.gateway.key.RequestKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/*
 * Design notes
 *
 * Every rule that matches a request and finds its key decides on its own (each spends its own quota when
 * it admits); the strictest answer wins: any refusal refuses, with the refusal that lasts longest, and
 * the fields of an admitted request are those of the rule with the least left. A rule whose key the
 * request lacks (no such header, say) does not count it.
 *
 * With the local store every decision is made at once on the event loop. With the cluster store the
 * request suspends; the stages complete on Lettuce's or the timer's thread, the last one resumes the
 * request, and the fields of an admitted request go out through the response observer (on the event
 * loop again), never through the context from a foreign thread. The suspension's own timeout backs up
 * the store's timeout, so no request waits longer than about twice it, whatever Redis does.
 */
/** {@code rate_limit}: rules that count requests by key with GCRA and refuse the excess with 429. */
final class RateLimitFilter implements HttpFilter {

    /** Longer keys are counted under their SHA-256, so a key costs bounded memory whatever a client sends. */
    static final int MAX_KEY_CHARS = 128;

    /** The type, as {@code BuiltInFilters} registers it. */
    static final class Type implements FilterType<RateLimitSettings> {

        private final LongSupplier clock;

        Type() {
            this(System::nanoTime);
        }

        /** With a clock of a test's own (nanoseconds), for the local store. */
        Type(LongSupplier clock) {
            this.clock = clock;
        }

        @Override
        public String name() {
            return "rate_limit";
        }

        @Override
        public Class<RateLimitSettings> settings() {
            return RateLimitSettings.class;
        }

        @Override
        public WarmupMode warmup() {
            return WarmupMode.THROWAWAY_STATE;
        }

        @Override
        public HttpFilter create(RateLimitSettings settings, FilterBuild build) {
            if (settings == null || settings.rules() == null || settings.rules().isEmpty()) {
                throw new IllegalArgumentException("rules: none (expected: at least one rule)");
            }
            List<Rule> rules = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (RateLimitSettings.RuleSettings r : settings.rules()) {
                Rule rule = rule(r);
                if (!names.add(rule.name())) {
                    throw new IllegalArgumentException("rules." + rule.name() + ": named twice (expected: unique names)");
                }
                rules.add(rule);
            }
            List<Cidr> allow = new ArrayList<>();
            for (String a : settings.allow() == null ? List.<String>of() : settings.allow()) {
                try {
                    allow.add(Cidr.parse(a));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("allow: '" + a + "' (expected: CIDR like 10.0.0.0/8)");
                }
            }
            String headers = settings.headers() == null ? "on_reject" : settings.headers();
            if (!headers.equals("on_reject") && !headers.equals("always")) {
                throw new IllegalArgumentException("headers: " + headers + " (expected: on_reject or always)");
            }
            long maxKeys = settings.maxKeys() == null ? 100_000 : settings.maxKeys();
            if (maxKeys < 1 || maxKeys > 100_000_000) {
                throw new IllegalArgumentException("max_keys: " + maxKeys + " (expected: 1..100000000)");
            }
            String storeName = settings.store() == null ? "local" : settings.store();
            if (!storeName.equals("local") && !storeName.equals("cluster")) {
                throw new IllegalArgumentException("store: " + storeName + " (expected: local or cluster)");
            }
            RateLimitSettings.ClusterSettings cs = settings.cluster() == null
                    ? new RateLimitSettings.ClusterSettings(null, null, null) : settings.cluster();
            Duration timeout = cs.timeout() == null ? Duration.ofMillis(50) : cs.timeout();
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("cluster.timeout: " + timeout + " (expected: 1ms..10s)");
            }
            RedisStore.FailMode failMode = RedisStore.FailMode.parse(cs.onFailure());
            long batch = cs.batch() == null ? 1 : cs.batch();
            if (batch < 1 || batch > 1000) {
                throw new IllegalArgumentException("cluster.batch: " + batch + " (expected: 1..1000)");
            }

            LocalStore local = build.state("local-store", LocalStore.class, () -> new LocalStore(maxKeys, clock));
            local.resize(maxKeys);
            LimitStore store = local;
            if (storeName.equals("cluster") && !build.warmup()) {
                var cluster = build.cluster().orElseThrow(() -> new IllegalArgumentException(
                        "store: cluster (expected: gateway.cluster.enabled, or store: local)"));
                store = new RedisStore(cluster, local, failMode, timeout, batch, maxKeys, build.meters());
            }
            LimitsResource admin = build.state("admin", LimitsResource.class, () -> new LimitsResource(local));
            admin.describe(build.route(), rules, settings.dryRun() != null && settings.dryRun(), storeName);
            build.admin(admin.resource());
            Verdict onTimeout = failMode == RedisStore.FailMode.CLOSED ? closed() : Verdict.CONTINUE;
            return new RateLimitFilter(rules.toArray(Rule[]::new), allow.toArray(Cidr[]::new),
                    settings.dryRun() != null && settings.dryRun(), headers.equals("always"), store,
                    timeout.multipliedBy(2), onTimeout, admin, build.meters());
        }

        private static Rule rule(RateLimitSettings.RuleSettings r) {
            String name = r.name();
            if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("rules.name: '" + name + "' (expected: 1-64 of A-Z a-z 0-9 _ . -)");
            }
            try {
                if (r.rate() == null) {
                    throw new IllegalArgumentException("rate: none (expected: requests per period, >= 1)");
                }
                Duration period = r.period() == null ? Duration.ofSeconds(1) : r.period();
                if (period.getNano() != 0) {
                    throw new IllegalArgumentException("period: " + period + " (expected: whole seconds)");
                }
                Limit limit = Limit.of(name, r.rate(), period.getSeconds(), r.burst() == null ? r.rate() : r.burst());
                String spelling = r.key() == null ? "client_address" : r.key();
                RequestKey key = spelling.equals("client_address")
                        ? RequestKey.parse(spelling, r.ipv4Prefix() == null ? 32 : r.ipv4Prefix(),
                                r.ipv6Prefix() == null ? 64 : r.ipv6Prefix())
                        : RequestKey.parse(spelling, r.ipv4Prefix() == null ? 32 : r.ipv4Prefix(),
                                r.ipv6Prefix() == null ? 128 : r.ipv6Prefix());
                RateLimitSettings.MatchSettings m = r.match() == null
                        ? new RateLimitSettings.MatchSettings(null, null, null, null) : r.match();
                if (m.pathPrefix() != null && !m.pathPrefix().startsWith("/")) {
                    throw new IllegalArgumentException("match.path_prefix: " + m.pathPrefix() + " (expected: starts with /)");
                }
                Set<String> methods = new LinkedHashSet<>();
                for (String method : m.methods() == null ? List.<String>of() : m.methods()) {
                    if (!method.matches("[A-Z]{1,20}")) {
                        throw new IllegalArgumentException("match.methods: " + method + " (expected: upper case, as GET)");
                    }
                    methods.add(method);
                }
                return new Rule(limit, m.route(), m.host() == null ? null : m.host().toLowerCase(Locale.ROOT),
                        m.pathPrefix(), Set.copyOf(methods), key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rules." + name + "." + e.getMessage(), e);
            }
        }
    }

    private final Rule[] rules;
    private final Cidr[] allow;
    private final boolean dryRun;
    private final boolean headersAlways;
    private final LimitStore store;
    private final Duration suspendTimeout;
    private final Verdict onTimeout;
    private final LimitsResource admin;
    private final Counter[] allowed;
    private final Counter[] rejected;
    private final Counter[] dryRunRejected;
    private final Counter allowListed;

    private RateLimitFilter(Rule[] rules, Cidr[] allow, boolean dryRun, boolean headersAlways, LimitStore store,
                            Duration suspendTimeout, Verdict onTimeout, LimitsResource admin, MeterRegistry meters) {
        this.rules = rules;
        this.allow = allow;
        this.dryRun = dryRun;
        this.headersAlways = headersAlways;
        this.store = store;
        this.suspendTimeout = suspendTimeout;
        this.onTimeout = onTimeout;
        this.admin = admin;
        this.allowed = new Counter[rules.length];
        this.rejected = new Counter[rules.length];
        this.dryRunRejected = new Counter[rules.length];
        for (int i = 0; i < rules.length; i++) {
            allowed[i] = counter(meters, rules[i], "allowed");
            rejected[i] = counter(meters, rules[i], "rejected");
            dryRunRejected[i] = counter(meters, rules[i], "dry_run_rejected");
        }
        this.allowListed = Counter.builder("strata.ratelimit.allow.listed")
                .description("Requests from an allow-listed client address, never limited").register(meters);
    }

    private static Counter counter(MeterRegistry meters, Rule rule, String outcome) {
        return Counter.builder("strata.ratelimit.requests").description("Rate-limit decisions by rule and outcome")
                .tag("rule", rule.name()).tag("outcome", outcome).register(meters);
    }

    @Override
    public Verdict onRequest(FilterContext context) {
        RequestView request = context.request();
        InetAddress client = request.clientAddress();
        if (client != null && allow.length > 0) {
            for (Cidr c : allow) {
                if (c.contains(client)) {
                    allowListed.increment();
                    return Verdict.CONTINUE;
                }
            }
        }
        String route = context.route();
        Decision localWorst = null;
        int localWorstRule = -1;
        int[] pendingRules = null;
        String[] pendingKeys = null;
        int pending = 0;
        for (int i = 0; i < rules.length; i++) {
            Rule rule = rules[i];
            if (!rule.matches(route, request)) {
                continue;
            }
            String key = rule.key().of(request);
            if (key == null) {
                continue;
            }
            Decision d = store.now(bounded(key), rule.limit());
            if (d != null) {
                count(i, d, key);
                if (stricter(d, localWorst)) {
                    localWorst = d;
                    localWorstRule = i;
                }
                continue;
            }
            if (pendingRules == null) {
                pendingRules = new int[rules.length];
                pendingKeys = new String[rules.length];
            }
            pendingRules[pending] = i;
            pendingKeys[pending] = key;
            pending++;
        }
        if (pending == 0) {
            if (localWorst == null) {
                return Verdict.CONTINUE;
            }
            Verdict v = verdict(context, localWorstRule, localWorst);
            if (v == Verdict.CONTINUE && headersAlways && localWorst.counted()) {
                HeaderFields.set(context.clientHeaders(), rules[localWorstRule].limit(), localWorst);
            }
            return v;
        }
        Waiting waiting = new Waiting(pending, localWorst, localWorstRule);
        if (headersAlways) {
            context.observe(waiting);
        }
        Suspension suspension = context.suspend(suspendTimeout, onTimeout);
        waiting.suspension = suspension;
        for (int p = 0; p < pending; p++) {
            int i = pendingRules[p];
            String key = pendingKeys[p];
            CompletionStage<Decision> stage = store.decide(bounded(key), rules[i].limit());
            stage.whenComplete((d, e) -> waiting.done(i, key, d == null ? Decision.OPEN : d));
        }
        return suspension.verdict();
    }

    /** A request waiting for the decisions of the shared store. */
    private final class Waiting implements ResponseObserver {
        private final AtomicInteger left;
        private Decision worst;   // guarded by this
        private int worstRule;    // guarded by this
        volatile Suspension suspension;
        private volatile Decision shown;
        private volatile int shownRule = -1;

        Waiting(int pending, Decision worst, int worstRule) {
            this.left = new AtomicInteger(pending);
            this.worst = worst;
            this.worstRule = worstRule;
        }

        void done(int rule, String key, Decision d) {
            count(rule, d, key);
            synchronized (this) {
                if (stricter(d, worst)) {
                    worst = d;
                    worstRule = rule;
                }
            }
            if (left.decrementAndGet() == 0) {
                Decision w;
                int r;
                synchronized (this) {
                    w = worst;
                    r = worstRule;
                }
                Verdict v = verdict(null, r, w);
                if (v == Verdict.CONTINUE && w.counted()) {
                    shown = w;
                    shownRule = r;
                }
                suspension.resume(v);
            }
        }

        @Override
        public void onResponseHead(ResponseView response, ResponseEdits edits) {
            Decision d = shown;
            if (d != null && !response.local()) {
                HeaderFields.set(edits.headers(), rules[shownRule].limit(), d);
            }
        }
    }

    /** Whether {@code d} is a stricter answer than {@code than}. */
    private static boolean stricter(Decision d, Decision than) {
        if (than == null) {
            return true;
        }
        if (d.allowed() != than.allowed()) {
            return !d.allowed();
        }
        if (!d.allowed()) {
            return d.retryNanos() > than.retryNanos();
        }
        if (d.counted() != than.counted()) {
            return d.counted();
        }
        return d.remaining() < than.remaining();
    }

    private void count(int rule, Decision d, String key) {
        if (d.allowed()) {
            allowed[rule].increment();
        } else if (dryRun) {
            dryRunRejected[rule].increment();
            admin.limited(rules[rule].name(), key);
        } else {
            rejected[rule].increment();
            admin.limited(rules[rule].name(), key);
        }
    }

    /** The verdict of the strictest decision; {@code context} is {@code null} off the event loop. */
    private Verdict verdict(FilterContext context, int rule, Decision d) {
        if (d.allowed()) {
            return Verdict.CONTINUE;
        }
        Limit limit = rules[rule].limit();
        if (dryRun) {
            if (context != null) {
                context.logField("ratelimit", "dry_run:" + limit.name());
            }
            return Verdict.CONTINUE;
        }
        if (d.source() == Decision.Source.CLOSED) {
            return closed();
        }
        long retry = HeaderFields.seconds(d.retryNanos());
        LocalResponse problem = LocalResponse.problem(429, "Too many requests under rate limit '" + limit.name()
                + "'; retry after " + retry + " s", null, (int) Math.min(retry, Integer.MAX_VALUE));
        List<String> fields = new ArrayList<>(problem.fields());
        HeaderFields.add(fields, limit, d);
        return Verdict.respond(new LocalResponse(429, fields, problem.body(), null));
    }

    private static Verdict closed() {
        return Verdict.respond(LocalResponse.problem(503, "The rate limiter cannot decide now", null, 1));
    }

    /** The request's key as the stores count it: itself, or its SHA-256 when long. */
    static String bounded(String key) {
        if (key.length() <= MAX_KEY_CHARS) {
            return key;
        }
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "#" + HexFormat.of().formatHex(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e); // every JDK has SHA-256
        }
    }
}
