package dev.strata.gateway.cache;

/** A {@code Range: bytes=...} request field as RFC 9110 §14.1.2 reads it, for one range only. */
final class Ranges {

    /** What {@link #single} says of a range set none of whose ranges the body can satisfy. */
    static final long[] UNSATISFIABLE = new long[0];

    private Ranges() {}

    /**
     * The one range {@code field} asks of a body of {@code length} bytes, as {@code [first, last]};
     * {@link #UNSATISFIABLE}; or {@code null} when the field is to be ignored (not bytes, malformed,
     * several ranges: the full response is then the answer, as RFC 9110 allows).
     */
    static long[] single(String field, long length) {
        String f = field.strip();
        if (!f.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String spec = f.substring(6).strip();
        if (spec.isEmpty() || spec.indexOf(',') >= 0) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        long first;
        long last;
        if (a.isEmpty()) {
            long suffix = CacheControl.deltaSeconds(b);
            if (suffix < 0) {
                return null;
            }
            if (suffix == 0 || length == 0) {
                return UNSATISFIABLE;
            }
            first = Math.max(0, length - suffix);
            last = length - 1;
        } else {
            first = CacheControl.deltaSeconds(a);
            last = b.isEmpty() ? length - 1 : CacheControl.deltaSeconds(b);
            if (first < 0 || last < 0 || (!b.isEmpty() && last < first)) {
                return null;
            }
            if (first >= length) {
                return UNSATISFIABLE;
            }
            last = Math.min(last, length - 1);
        }
        return new long[] {first, last};
    }
}
