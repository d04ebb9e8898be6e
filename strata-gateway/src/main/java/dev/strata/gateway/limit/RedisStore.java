package dev.strata.gateway.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.gateway.cluster.Cluster;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/*
 * Design notes
 *
 * One Lua script per decision, so reading and moving a key's TAT is atomic across every gateway, and
 * "now" is Redis's TIME, so gateways whose clocks disagree still share one schedule. Lua numbers are
 * doubles: exact for integers below 2^53, which nanoseconds since 1970 are not. The script therefore
 * stores the TAT as "seconds:nanoseconds" and computes only the difference TAT - now in nanoseconds,
 * which is bounded by the limit's window (Limit.MAX_WINDOW_NANOS = 2^53), so every step is exact
 * integer arithmetic, as in Gcra. The key expires with its window (PX), so idle keys cost Redis nothing.
 *
 * Failing: the stage is bounded by the timeout (orTimeout) and never fails; an error, a timeout or a
 * disconnected cluster answers by the fail mode: local decides on this gateway's own store (each
 * gateway then admits up to the whole limit by itself), open admits, closed refuses with 503. The
 * script goes by EVALSHA; a Redis that lost it (a restart) gets it again by EVAL.
 *
 * Remembered refusals: a refusal holds until its retry time whatever any gateway does (a TAT only moves
 * forward), so this gateway answers the key's requests itself until then, without a round trip: a
 * flooding client costs Redis one call per emission interval, not one per request. The local clock
 * starts when the answer arrives, so the refusal lasts at most one round trip longer than Redis's.
 *
 * Batching (batch > 1): for a key this gateway called Redis for within the last second (a hot key: the
 * global ceiling, a busy API key; not a client seen once), a call may take up to batch cells at once,
 * never more than the key has free; the gateway hands the extra ones out itself until the key's TAT
 * that the call left in Redis (by then Redis's own schedule would have issued them all), and at least
 * for the call's round trip (far above the load the TAT is nanoseconds away). Every
 * admission was counted in Redis first, so the cluster never admits more than Redis allowed; the cost
 * is in time: up to gateways * (batch - 1) admissions can be held in leases at any instant, used later
 * than their slot (a burst that much larger at most) or left unused when the lease lapses. A lease
 * that lived only cells * T from the call lapsed before a gateway slower than the limit could use it,
 * and every lapse spent quota nobody used; living until the TAT it settles instead: a key whose cells
 * lapse moves its TAT ahead, which lengthens the next lease until its cells are used. While a lease
 * call for a key is in flight, up to batch - 1 of the key's other decisions wait for it and take from
 * its lease (one round trip for a batch, not one per request); more than that make a lease call of
 * their own beside it, so a key's concurrency is never capped at one batch per round trip.
 *
 * Threads: Lettuce runs on the cluster's own I/O thread (see RedisCluster: a connection stays on one
 * loop for its life, while the gateway replaces its loops at a reload), so the event loop never waits;
 * the stage completes there or on the JDK's timeout thread.
 */
/** The GCRA state shared by every gateway of the cluster, in Redis. */
final class RedisStore implements LimitStore {

    /** What a decision is when Redis cannot give it. */
    enum FailMode {
        LOCAL, OPEN, CLOSED;

        static FailMode parse(String s) {
            if (s == null) {
                return LOCAL;
            }
            return switch (s) {
                case "local" -> LOCAL;
                case "open" -> OPEN;
                case "closed" -> CLOSED;
                default -> throw new IllegalArgumentException("cluster.on_failure: " + s + " (expected: local, open or closed)");
            };
        }
    }

    static final String SCRIPT = """
            local t = redis.call('TIME')
            local now_s = tonumber(t[1])
            local now_ns = tonumber(t[2]) * 1000
            local T = tonumber(ARGV[1])
            local tau = tonumber(ARGV[2])
            local n = tonumber(ARGV[3])
            local used = 0
            local v = redis.call('GET', KEYS[1])
            if v then
              local s, ns = string.match(v, '^(%d+):(%d+)$')
              if s then
                used = (tonumber(s) - now_s) * 1000000000 + (tonumber(ns) - now_ns)
                if used < 0 then used = 0 end
              end
            end
            if used > tau then
              return {0, 0, used - tau, used - tau}
            end
            local k = math.floor((tau - used) / T) + 1
            if k > n then k = n end
            local after = used + k * T
            local total = now_ns + after
            local tat_s = now_s + math.floor(total / 1000000000)
            local tat_ns = total % 1000000000
            redis.call('SET', KEYS[1], string.format('%d:%d', tat_s, tat_ns), 'PX', math.ceil(after / 1000000))
            return {k, math.floor((tau + T - after) / T), after, 0}
            """;
    static final String SHA = sha1(SCRIPT);

    /** What this gateway knows of one key between calls: leased cells, or a refusal and until when. */
    private static final class Lease {
        long left;
        long until;         // System.nanoTime() when the leased cells lapse
        long remaining;     // Redis's remaining after the lease
        long resetAt;       // System.nanoTime() when the quota is whole again, by Redis's answer
        long deniedUntil;   // System.nanoTime() until which the key is refused
        boolean denied;
        long lastCall;      // System.nanoTime() of the last call to Redis for the key
        CompletableFuture<Boolean> leasing; // the lease call in flight (true when Redis answered), null when none
        int waiting;        // decisions waiting for it: at most batch - 1, the cells it can bring them
    }

    private final Cluster cluster;
    private final LocalStore fallback;
    private final FailMode failMode;
    private final long timeoutNanos;
    private final Timer latency;
    private final Counter errors;
    private final Counter fallbacks;
    private final long batch;
    private final Cache<String, Lease> leases;

    RedisStore(Cluster cluster, LocalStore fallback, FailMode failMode, Duration timeout, long batch, long maxKeys,
               MeterRegistry meters) {
        this.batch = batch;
        this.leases = Caffeine.newBuilder().maximumSize(maxKeys).expireAfterAccess(Duration.ofSeconds(10))
                .executor(Runnable::run).build();
        this.cluster = cluster;
        this.fallback = fallback;
        this.failMode = failMode;
        this.timeoutNanos = timeout.toNanos();
        this.latency = Timer.builder("strata.ratelimit.redis").description("Rate-limit decisions in Redis")
                .register(meters);
        this.errors = Counter.builder("strata.ratelimit.redis.errors")
                .description("Rate-limit decisions Redis failed, timed out or could not take").register(meters);
        this.fallbacks = Counter.builder("strata.ratelimit.fallbacks")
                .description("Rate-limit decisions made by the fail mode instead of Redis")
                .tag("mode", failMode.name().toLowerCase(java.util.Locale.ROOT)).register(meters);
    }

    /** Where Redis and the leases keep one key's state: the limit's name and the request's key. */
    private static String counter(String key, Limit limit) {
        return limit.name() + ' ' + key;
    }

    @Override
    public Decision now(String key, Limit limit) {
        Lease lease = leases.getIfPresent(counter(key, limit));
        if (lease == null) {
            return null;
        }
        long now = System.nanoTime();
        synchronized (lease) {
            if (lease.left > 0 && lease.until - now > 0) {
                lease.left--;
                return new Decision(true, lease.remaining + lease.left, Math.max(lease.resetAt - now, 0), 0,
                        Decision.Source.STORE);
            }
            if (lease.denied && lease.deniedUntil - now > 0) {
                long retry = lease.deniedUntil - now;
                return new Decision(false, 0, retry, retry, Decision.Source.STORE);
            }
        }
        return null;
    }

    /**
     * Whether this gateway called Redis for {@code key} within the last second: only then is a lease of
     * several cells worth its cost, as a key seen once (one client's) would hold cells it never uses.
     */
    private Lease hot(String key, long now) {
        Lease lease = leases.get(key, k -> new Lease());
        synchronized (lease) {
            boolean hot = lease.lastCall != 0 && now - lease.lastCall < 1_000_000_000L;
            lease.lastCall = now;
            return hot ? lease : null;
        }
    }

    /** Keeps what an answer says beyond the request it was for; answers may arrive in any order. */
    private void remember(String key, long granted, long leaseNanos, Decision d) {
        Lease lease = d.allowed() && granted <= 1 ? leases.getIfPresent(key) : leases.get(key, k -> new Lease());
        if (lease == null) {
            return;
        }
        long now = System.nanoTime();
        synchronized (lease) {
            if (!d.allowed()) {
                lease.denied = true;
                lease.deniedUntil = now + d.retryNanos();
                return;
            }
            lease.denied = false;
            if (granted > 1) {
                boolean valid = lease.left > 0 && lease.until - now > 0;
                lease.left = (valid ? lease.left : 0) + granted - 1;
                long until = now + leaseNanos;
                lease.until = valid && lease.until - until > 0 ? lease.until : until;
                lease.remaining = d.remaining() - (granted - 1);
                lease.resetAt = now + d.resetNanos();
            }
        }
    }

    @Override
    public CompletionStage<Decision> decide(String key, Limit limit) {
        if (!cluster.connected()) {
            errors.increment();
            return CompletableFuture.completedFuture(failed(key, limit));
        }
        long start = System.nanoTime();
        String counter = counter(key, limit);
        Lease hot = batch > 1 ? hot(counter, start) : null;
        if (hot == null) {
            return call(key, limit, counter, 1, start, timeoutNanos);
        }
        return batched(key, limit, counter, hot, start);
    }

    /**
     * A decision on a hot key: the first caller leases up to {@code batch} cells, up to {@code batch - 1}
     * callers that come while its call is in flight take from that lease when it lands (those it cannot
     * serve try again), later ones lease beside it; all within {@code timeout} of {@code start}.
     */
    private CompletionStage<Decision> batched(String key, Limit limit, String counter, Lease hot, long start) {
        long left = timeoutNanos - (System.nanoTime() - start);
        if (left <= 0) {
            errors.increment();
            return CompletableFuture.completedFuture(failed(key, limit));
        }
        CompletableFuture<Boolean> leasing;
        boolean beside = false;
        synchronized (hot) {
            leasing = hot.leasing;
            if (leasing == null) {
                hot.leasing = new CompletableFuture<>();
            } else if (hot.waiting < batch - 1) {
                hot.waiting++;
            } else {
                beside = true; // as many wait as the lease in flight can serve: a lease of our own, beside it
            }
        }
        if (beside) {
            return call(key, limit, counter, batch, start, left);
        }
        if (leasing != null) {
            return leasing.thenCompose(answered -> {
                if (!answered) { // Redis failed the lease call: the fail mode decides, no call of our own
                    return CompletableFuture.completedFuture(failed(key, limit));
                }
                Decision d = now(key, limit);
                return d != null ? CompletableFuture.completedFuture(d) : batched(key, limit, counter, hot, start);
            });
        }
        return call(key, limit, counter, batch, start, left).whenComplete((d, e) -> {
            CompletableFuture<Boolean> landed;
            synchronized (hot) {
                landed = hot.leasing;
                hot.leasing = null;
                hot.waiting = 0;
            }
            landed.complete(d != null && d.source() == Decision.Source.STORE);
        });
    }

    /** One decision in Redis, taking up to {@code cells} cells; bounded by {@code timeout}, never failing. */
    private CompletionStage<Decision> call(String key, Limit limit, String counter, long cells, long start,
                                           long timeout) {
        String[] keys = {cluster.key("ratelimit:" + counter)};
        String t = Long.toString(limit.emissionNanos());
        String tau = Long.toString(limit.toleranceNanos());
        String n = Long.toString(cells);
        CompletableFuture<List<Long>> call;
        try {
            RedisAsyncCommands<String, String> redis = cluster.redis().async();
            call = redis.<List<Long>>evalsha(SHA, ScriptOutputType.MULTI, keys, t, tau, n).toCompletableFuture()
                    .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                            ? redis.<List<Long>>eval(SCRIPT, ScriptOutputType.MULTI, keys, t, tau, n).toCompletableFuture()
                            : CompletableFuture.failedFuture(e));
        } catch (RuntimeException e) {
            errors.increment();
            return CompletableFuture.completedFuture(failed(key, limit));
        }
        return call.orTimeout(timeout, TimeUnit.NANOSECONDS).handle((r, e) -> {
            if (e != null || r == null || r.size() != 4) {
                errors.increment();
                return failed(key, limit);
            }
            long roundTrip = System.nanoTime() - start;
            latency.record(roundTrip, TimeUnit.NANOSECONDS);
            long granted = r.get(0);
            Decision d = new Decision(granted >= 1, r.get(1) + Math.max(granted - 1, 0), r.get(2), r.get(3),
                    Decision.Source.STORE);
            // a lease lives until the key's TAT in Redis, and at least the round trip it saves
            remember(counter, granted, Math.max(r.get(2), roundTrip), d);
            return d;
        });
    }

    private Decision failed(String key, Limit limit) {
        fallbacks.increment();
        return switch (failMode) {
            case LOCAL -> fallback.now(key, limit).asFallback();
            case OPEN -> Decision.OPEN;
            case CLOSED -> Decision.CLOSED;
        };
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
