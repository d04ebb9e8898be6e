package dev.strata.gateway.cache;

import dev.strata.common.config.ByteSize;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A route's {@code cache} settings; every one has a default.
 *
 * @param enabled           whether the route caches at all (off: responses pass, marked {@code fwd=bypass})
 * @param storeSize         the route's store: the bytes its stored responses may take, bodies and heads
 * @param maxObjectSize     a larger body streams through, never stored (nor buffered)
 * @param defaultTtl        the freshness of a response without an explicit one where RFC 9111 §4.2.2
 *                          allows a heuristic; {@code null}: none
 * @param maxTtl            the most freshness any response gets here; {@code null}: no bound
 * @param heuristicFraction the heuristic freshness as a fraction of the time since {@code Last-Modified}
 *                          (0 = off)
 * @param setCookie         what a response with {@code Set-Cookie} gets: {@code pass} (not stored),
 *                          {@code strip} (stored without it), {@code keep} (stored with it)
 * @param debug             whether {@code Cache-Status} names the key
 * @param coalesceWaiters   how many misses of one key may wait for the one fetch of it (0: none wait)
 * @param coalesceTimeout   how long a waiter waits before it goes upstream itself
 * @param staleWhileRevalidate how long past its freshness a response is served while it is revalidated
 *                          in the background, when it does not say ({@code stale-while-revalidate}, RFC 5861)
 * @param stripTargeted     whether {@code CDN-Cache-Control} and {@code Strata-Cache-Control} (RFC 9213),
 *                          which this cache obeys first, are removed from what clients get
 * @param key               what the primary key is made of besides the path
 * @param staleIfError      how long past its freshness a response is served when the origin fails (down,
 *                          timing out, 5xx), when it does not say ({@code stale-if-error})
 * @param positions         the data positions responses were read at, and the purge fences they meet;
 *                          {@code null}: off
 * @param invalidationTimeout with a cluster, how long the answer that names {@code Strata-Invalidate-Tags}
 *                          waits for every live gateway to acknowledge the purge before it goes anyway
 */
record CacheSettings(Boolean enabled, ByteSize storeSize, ByteSize maxObjectSize, Duration defaultTtl, Duration maxTtl,
                     Double heuristicFraction, String setCookie, Boolean debug, Integer coalesceWaiters,
                     Duration coalesceTimeout, Duration staleWhileRevalidate, Duration staleIfError, Key key,
                     Boolean stripTargeted, Positions positions, Duration invalidationTimeout) {

    /**
     * Read-your-writes through the cache: each response names the data position (a PostgreSQL LSN,
     * {@code 16/B374D848}) it was read at in {@code header}, which the cache removes from what clients get
     * and never stores; an invalidation's answer names the position of its write there, and a response for
     * one of its tags read before it is not stored for {@code fence_window}; a request whose consistency
     * token (read through {@code token}, each a request key spelling such as {@code header:NAME} or
     * {@code cookie:NAME}) names a later position than a stored response's is a miss.
     *
     * @param header      the response field with the position
     * @param token       where a request carries a consistency token ({@code 1.<position as 16 hex
     *                    digits>.<expiry>.<mac>}); the first that holds one counts
     * @param fenceWindow how long a purge's fence stands: longer than any replica lag the origin allows
     * @param maxFences   the most tags fenced at once; beyond it the oldest fold into one fence for every tag
     */
    record Positions(String header, List<String> token, Duration fenceWindow, Integer maxFences) {
        Positions {
            if (header == null || !header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw new IllegalArgumentException("positions.header: " + header + " (expected: a field name)");
            }
            token = token == null ? List.of() : List.copyOf(token);
            for (String t : token) {
                try {
                    if (!t.startsWith("header:") && !t.startsWith("cookie:")) {
                        throw new IllegalArgumentException();
                    }
                    dev.strata.gateway.key.RequestKey.parse(t);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("positions.token: " + t
                            + " (expected: header:NAME or cookie:NAME)");
                }
            }
            fenceWindow = fenceWindow == null ? Duration.ofSeconds(60) : fenceWindow;
            maxFences = maxFences == null ? 100_000 : maxFences;
            if (fenceWindow.isNegative() || fenceWindow.isZero()) {
                throw new IllegalArgumentException("positions.fence_window: " + fenceWindow + " (expected: > 0s)");
            }
            if (maxFences < 1 || maxFences > 10_000_000) {
                throw new IllegalArgumentException("positions.max_fences: " + maxFences + " (expected: 1..10000000)");
            }
        }
    }

    /**
     * The key's parts: the scheme is the listener's ({@code http}); the path is always in it.
     *
     * @param host    whether the host is (false: one entry for every host of the route)
     * @param query   the query parameters that are, sorted by name; {@code null}: the whole query as sent
     * @param headers request fields whose values are (lower-case names; the values as sent, lines joined)
     */
    record Key(Boolean host, List<String> query, List<String> headers) {
        Key {
            host = host == null || host;
            query = query == null ? null : List.copyOf(query);
            headers = headers == null ? List.of()
                    : headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        }
    }

    enum SetCookie { PASS, STRIP, KEEP }

    CacheSettings {
        enabled = enabled == null || enabled;
        storeSize = storeSize == null ? ByteSize.parse("256MiB") : storeSize;
        maxObjectSize = maxObjectSize == null ? ByteSize.parse("8MiB") : maxObjectSize;
        heuristicFraction = heuristicFraction == null ? 0.0 : heuristicFraction;
        setCookie = setCookie == null ? "pass" : setCookie;
        debug = debug != null && debug;
        coalesceWaiters = coalesceWaiters == null ? 1024 : coalesceWaiters;
        staleWhileRevalidate = staleWhileRevalidate == null ? Duration.ZERO : staleWhileRevalidate;
        staleIfError = staleIfError == null ? Duration.ZERO : staleIfError;
        key = key == null ? new Key(null, null, null) : key;
        stripTargeted = stripTargeted != null && stripTargeted;
        invalidationTimeout = invalidationTimeout == null ? Duration.ofSeconds(2) : invalidationTimeout;
        if (invalidationTimeout.isNegative() || invalidationTimeout.isZero()) {
            throw new IllegalArgumentException("invalidation_timeout: " + invalidationTimeout + " (expected: > 0s)");
        }
        if (staleWhileRevalidate.isNegative() || staleIfError.isNegative()) {
            throw new IllegalArgumentException("stale_while_revalidate, stale_if_error: (expected: >= 0s)");
        }
        coalesceTimeout = coalesceTimeout == null ? Duration.ofSeconds(10) : coalesceTimeout;
        if (coalesceWaiters < 0 || coalesceWaiters > 100_000) {
            throw new IllegalArgumentException("coalesce_waiters: " + coalesceWaiters + " (expected: 0..100000)");
        }
        if (coalesceTimeout.isNegative() || coalesceTimeout.isZero()) {
            throw new IllegalArgumentException("coalesce_timeout: " + coalesceTimeout + " (expected: > 0s)");
        }
        if (storeSize.bytes() < 1024) {
            throw new IllegalArgumentException("store_size: " + storeSize + " (expected: >= 1KiB)");
        }
        if (maxObjectSize.bytes() < 1 || maxObjectSize.bytes() > Integer.MAX_VALUE / 2
                || maxObjectSize.bytes() > storeSize.bytes()) {
            throw new IllegalArgumentException("max_object_size: " + maxObjectSize
                    + " (expected: 1 byte .. 1GiB, at most store_size)");
        }
        if (heuristicFraction < 0 || heuristicFraction > 1) {
            throw new IllegalArgumentException("heuristic_fraction: " + heuristicFraction + " (expected: 0..1)");
        }
        if (defaultTtl != null && defaultTtl.isNegative()) {
            throw new IllegalArgumentException("default_ttl: " + defaultTtl + " (expected: >= 0s)");
        }
        if (maxTtl != null && maxTtl.isNegative()) {
            throw new IllegalArgumentException("max_ttl: " + maxTtl + " (expected: >= 0s)");
        }
        setCookieMode(setCookie);
    }

    static CacheSettings defaults() {
        return new CacheSettings(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    SetCookie setCookieMode() {
        return setCookieMode(setCookie);
    }

    private static SetCookie setCookieMode(String s) {
        try {
            return SetCookie.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("set_cookie: " + s + " (expected: pass, strip or keep)");
        }
    }
}
