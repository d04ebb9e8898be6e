package dev.strata.gateway.proxy;

/**
 * The header fields the proxy acts on, and those the filters read (caching, validation,
 * authorization, cookies, cache tags), recognised once while a head is parsed (by length first, then
 * by an ASCII case-insensitive comparison), so that no later step compares names again.
 */
final class FieldKind {

    static final byte OTHER = 0;
    static final byte HOST = 1;
    static final byte CONTENT_LENGTH = 2;
    static final byte TRANSFER_ENCODING = 3;
    static final byte CONNECTION = 4;
    static final byte EXPECT = 5;
    static final byte KEEP_ALIVE = 6;
    static final byte PROXY_CONNECTION = 7;
    static final byte TE = 8;
    static final byte TRAILER = 9;
    static final byte UPGRADE = 10;
    static final byte X_FORWARDED_FOR = 11;
    static final byte X_FORWARDED_PROTO = 12;
    static final byte X_FORWARDED_HOST = 13;
    static final byte FORWARDED = 14;
    static final byte VIA = 15;
    // read by the cache, the limiter and conditional requests; never hop-by-hop
    static final byte CACHE_CONTROL = 16;
    static final byte PRAGMA = 17;
    static final byte VARY = 18;
    static final byte AGE = 19;
    static final byte DATE = 20;
    static final byte EXPIRES = 21;
    static final byte ETAG = 22;
    static final byte LAST_MODIFIED = 23;
    static final byte IF_NONE_MATCH = 24;
    static final byte IF_MODIFIED_SINCE = 25;
    static final byte AUTHORIZATION = 26;
    static final byte SET_COOKIE = 27;
    static final byte SURROGATE_KEY = 28;
    static final byte CACHE_TAG = 29;
    static final byte CDN_CACHE_CONTROL = 30;
    static final byte COOKIE = 31;

    private static final byte[] N_TE = Wire.ascii("te");
    private static final byte[] N_VIA = Wire.ascii("via");
    private static final byte[] N_HOST = Wire.ascii("host");
    private static final byte[] N_EXPECT = Wire.ascii("expect");
    private static final byte[] N_TRAILER = Wire.ascii("trailer");
    private static final byte[] N_UPGRADE = Wire.ascii("upgrade");
    private static final byte[] N_FORWARDED = Wire.ascii("forwarded");
    private static final byte[] N_CONNECTION = Wire.ascii("connection");
    private static final byte[] N_KEEP_ALIVE = Wire.ascii("keep-alive");
    private static final byte[] N_CONTENT_LENGTH = Wire.ascii("content-length");
    private static final byte[] N_X_FORWARDED_FOR = Wire.ascii("x-forwarded-for");
    private static final byte[] N_PROXY_CONNECTION = Wire.ascii("proxy-connection");
    private static final byte[] N_X_FORWARDED_HOST = Wire.ascii("x-forwarded-host");
    private static final byte[] N_TRANSFER_ENCODING = Wire.ascii("transfer-encoding");
    private static final byte[] N_X_FORWARDED_PROTO = Wire.ascii("x-forwarded-proto");
    private static final byte[] N_CACHE_CONTROL = Wire.ascii("cache-control");
    private static final byte[] N_PRAGMA = Wire.ascii("pragma");
    private static final byte[] N_VARY = Wire.ascii("vary");
    private static final byte[] N_AGE = Wire.ascii("age");
    private static final byte[] N_DATE = Wire.ascii("date");
    private static final byte[] N_EXPIRES = Wire.ascii("expires");
    private static final byte[] N_ETAG = Wire.ascii("etag");
    private static final byte[] N_LAST_MODIFIED = Wire.ascii("last-modified");
    private static final byte[] N_IF_NONE_MATCH = Wire.ascii("if-none-match");
    private static final byte[] N_IF_MODIFIED_SINCE = Wire.ascii("if-modified-since");
    private static final byte[] N_AUTHORIZATION = Wire.ascii("authorization");
    private static final byte[] N_SET_COOKIE = Wire.ascii("set-cookie");
    private static final byte[] N_SURROGATE_KEY = Wire.ascii("surrogate-key");
    private static final byte[] N_CACHE_TAG = Wire.ascii("cache-tag");
    private static final byte[] N_CDN_CACHE_CONTROL = Wire.ascii("cdn-cache-control");
    private static final byte[] N_COOKIE = Wire.ascii("cookie");

    private FieldKind() {}

    /** Whether a field of this kind is hop-by-hop (RFC 9110 §7.6.1) and never crosses the proxy. */
    static boolean hopByHop(byte kind) {
        return kind >= TRANSFER_ENCODING && kind != EXPECT && kind <= UPGRADE;
    }

    /** The kind of the field whose name is {@code b[start, end)}. */
    static byte of(byte[] b, int start, int end) {
        switch (end - start) {
            case 2: return is(b, start, N_TE) ? TE : OTHER;
            case 3:
                if (is(b, start, N_VIA)) return VIA;
                return is(b, start, N_AGE) ? AGE : OTHER;
            case 4:
                if (is(b, start, N_HOST)) return HOST;
                if (is(b, start, N_VARY)) return VARY;
                if (is(b, start, N_DATE)) return DATE;
                return is(b, start, N_ETAG) ? ETAG : OTHER;
            case 6:
                if (is(b, start, N_EXPECT)) return EXPECT;
                if (is(b, start, N_PRAGMA)) return PRAGMA;
                return is(b, start, N_COOKIE) ? COOKIE : OTHER;
            case 7:
                if (is(b, start, N_TRAILER)) return TRAILER;
                if (is(b, start, N_UPGRADE)) return UPGRADE;
                return is(b, start, N_EXPIRES) ? EXPIRES : OTHER;
            case 9:
                if (is(b, start, N_FORWARDED)) return FORWARDED;
                return is(b, start, N_CACHE_TAG) ? CACHE_TAG : OTHER;
            case 10:
                if (is(b, start, N_CONNECTION)) return CONNECTION;
                if (is(b, start, N_KEEP_ALIVE)) return KEEP_ALIVE;
                return is(b, start, N_SET_COOKIE) ? SET_COOKIE : OTHER;
            case 13:
                if (is(b, start, N_CACHE_CONTROL)) return CACHE_CONTROL;
                if (is(b, start, N_LAST_MODIFIED)) return LAST_MODIFIED;
                if (is(b, start, N_IF_NONE_MATCH)) return IF_NONE_MATCH;
                if (is(b, start, N_AUTHORIZATION)) return AUTHORIZATION;
                return is(b, start, N_SURROGATE_KEY) ? SURROGATE_KEY : OTHER;
            case 14: return is(b, start, N_CONTENT_LENGTH) ? CONTENT_LENGTH : OTHER;
            case 15: return is(b, start, N_X_FORWARDED_FOR) ? X_FORWARDED_FOR : OTHER;
            case 16:
                if (is(b, start, N_PROXY_CONNECTION)) return PROXY_CONNECTION;
                return is(b, start, N_X_FORWARDED_HOST) ? X_FORWARDED_HOST : OTHER;
            case 17:
                if (is(b, start, N_TRANSFER_ENCODING)) return TRANSFER_ENCODING;
                if (is(b, start, N_X_FORWARDED_PROTO)) return X_FORWARDED_PROTO;
                if (is(b, start, N_IF_MODIFIED_SINCE)) return IF_MODIFIED_SINCE;
                return is(b, start, N_CDN_CACHE_CONTROL) ? CDN_CACHE_CONTROL : OTHER;
            default: return OTHER;
        }
    }

    /** Whether a field of this kind is one the proxy itself writes or rewrites (not a plain copy). */
    static boolean passive(byte kind) {
        return kind == OTHER || kind >= CACHE_CONTROL;
    }

    /**
     * Whether {@code b[start, start + lower.length)} equals {@code lower} ignoring ASCII case; {@code lower}
     * is lower case. Setting bit 0x20 lower-cases letters and leaves '-' and digits alone; the other bytes
     * it could confuse are not token characters, so they never occur in a parsed name.
     */
    static boolean is(byte[] b, int start, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            if ((b[start + i] | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b[start, end)} equals {@code lower} (lower case) ignoring ASCII case. */
    static boolean equalsIgnoreCase(byte[] b, int start, int end, byte[] lower) {
        return end - start == lower.length && is(b, start, lower);
    }
}
