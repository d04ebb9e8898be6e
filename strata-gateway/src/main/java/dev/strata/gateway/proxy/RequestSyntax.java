package dev.strata.gateway.proxy;

/**
 * The request's authority and path as RFC 3986 reads them: Host values checked against
 * {@code uri-host [":" port]}, and paths brought to normal form before routing.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Why the path is normalized before routing.</b> The origin resolves {@code /static/../admin}
 *   to {@code /admin}; routed as received, that request would reach the {@code /static/} upstream with
 *   a path that names a resource of another route. So the gateway routes (and forwards) the path that
 *   the origin will see: percent-escaped unreserved characters decoded first (RFC 3986 §6.2.2.2, so that
 *   {@code %2e%2e} is a dot segment too), then dot segments removed (§5.2.4), and with
 *   {@code merge_slashes} runs of slashes made one. Or, with {@code normalize_path: refuse}, such a path
 *   is refused. Other escapes ({@code %2F} among them) stay as they are: decoding them would change what
 *   the path means.</li>
 *   <li><b>Cheap when there is nothing to do.</b> One scan finds whether the path has a {@code %}, a
 *   dot segment or (when merging) a double slash; most paths have none and are returned as they are,
 *   the same instance, with nothing allocated.</li>
 *   <li><b>Host</b> is a reg-name (unreserved, sub-delims, pct-encoded), an IPv4 address (a reg-name
 *   syntactically) or an IP literal in brackets, then an optional port of at most 5 digits up to 65535.
 *   Userinfo, whitespace, {@code / ? #}, quotes, backslashes and obs-text are refused: a Host is copied
 *   into X-Forwarded-Host and Forwarded, and the next hop may read it differently.</li>
 * </ul>
 */
final class RequestSyntax {

    private static final boolean[] REG_NAME = new boolean[128];
    private static final boolean[] UNRESERVED = new boolean[128];
    private static final boolean[] IP_LITERAL = new boolean[128];

    static {
        for (int c = '0'; c <= '9'; c++) UNRESERVED[c] = true;
        for (int c = 'a'; c <= 'z'; c++) UNRESERVED[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) UNRESERVED[c] = true;
        for (char c : "-._~".toCharArray()) UNRESERVED[c] = true;
        System.arraycopy(UNRESERVED, 0, REG_NAME, 0, 128);
        for (char c : "!$&'()*+,;=".toCharArray()) REG_NAME[c] = true;
        // inside brackets: IPv6 (hex, colons, dots for an embedded IPv4) or IPvFuture (v, hex, '.', then
        // unreserved, sub-delims and ':')
        System.arraycopy(REG_NAME, 0, IP_LITERAL, 0, 128);
        IP_LITERAL[':'] = true;
    }

    private RequestSyntax() {}

    /** Whether {@code b[s, e)} is {@code uri-host [":" port]} (RFC 9110 §7.2). */
    static boolean validHost(byte[] b, int s, int e) {
        if (s >= e) {
            return false;
        }
        int i = s;
        if (b[i] == '[') {
            i++;
            int start = i;
            while (i < e && b[i] != ']') {
                int c = b[i] & 0xff;
                if (c >= 128 || !IP_LITERAL[c]) {
                    return false;
                }
                i++;
            }
            if (i >= e || i == start) {
                return false;
            }
            i++; // the ]
        } else {
            while (i < e && b[i] != ':') {
                int c = b[i] & 0xff;
                if (c == '%') {
                    if (i + 2 >= e || hex(b[i + 1]) < 0 || hex(b[i + 2]) < 0) {
                        return false;
                    }
                    i += 3;
                    continue;
                }
                if (c >= 128 || !REG_NAME[c]) {
                    return false;
                }
                i++;
            }
            if (i == s) {
                return false; // no host before the port
            }
        }
        if (i == e) {
            return true;
        }
        if (b[i] != ':') {
            return false;
        }
        i++;
        if (e - i > 5) {
            return false;
        }
        int port = 0;
        for (; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            port = port * 10 + d;
        }
        return port <= 65535;
    }

    static boolean validHost(String host) {
        return validHost(Wire.ascii(host), 0, host.length());
    }

    /**
     * The origin-form {@code target} with its path in normal form (see the class comment), or
     * {@code target} itself when it already is; the query is left as it is.
     */
    static String normalize(String target, boolean dotsAndEscapes, boolean mergeSlashes) {
        int q = target.indexOf('?');
        int end = q < 0 ? target.length() : q;
        if (!needsWork(target, end, dotsAndEscapes, mergeSlashes)) {
            return target;
        }
        String path = target.substring(0, end);
        if (dotsAndEscapes) {
            path = decodeUnreserved(path);
        }
        if (mergeSlashes) {
            path = mergeSlashes(path);
        }
        if (dotsAndEscapes) {
            path = removeDotSegments(path);
        }
        String normal = q < 0 ? path : path + target.substring(q);
        return normal.equals(target) ? target : normal;
    }

    private static boolean needsWork(String t, int end, boolean dots, boolean merge) {
        for (int i = 0; i < end; i++) {
            char c = t.charAt(i);
            if (dots && c == '%') {
                return true;
            }
            if (c == '/' && i + 1 < end) {
                char n = t.charAt(i + 1);
                if (merge && n == '/') {
                    return true;
                }
                if (dots && n == '.' && (i + 2 == end || t.charAt(i + 2) == '/'
                        || (t.charAt(i + 2) == '.' && (i + 3 == end || t.charAt(i + 3) == '/')))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Decodes {@code %XX} where it stands for an unreserved character. */
    private static String decodeUnreserved(String p) {
        if (p.indexOf('%') < 0) {
            return p;
        }
        StringBuilder b = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '%' && i + 2 < p.length()) {
                int h = hex((byte) p.charAt(i + 1));
                int l = hex((byte) p.charAt(i + 2));
                if (h >= 0 && l >= 0 && p.charAt(i + 1) < 128 && p.charAt(i + 2) < 128) {
                    int v = h << 4 | l;
                    if (v < 128 && UNRESERVED[v]) {
                        b.append((char) v);
                        i += 2;
                        continue;
                    }
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    private static String mergeSlashes(String p) {
        if (!p.contains("//")) {
            return p;
        }
        StringBuilder b = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '/' && i > 0 && p.charAt(i - 1) == '/') {
                continue;
            }
            b.append(c);
        }
        return b.toString();
    }

    /** RFC 3986 §5.2.4 for an absolute path (it starts with {@code /}); never climbs above the root. */
    static String removeDotSegments(String p) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        int i = 1; // past the leading /
        boolean trailingSlash = false;
        while (i <= p.length()) {
            int j = p.indexOf('/', i);
            if (j < 0) {
                j = p.length();
            }
            String seg = p.substring(i, j);
            boolean last = j == p.length();
            if (seg.equals(".")) {
                trailingSlash = last;
            } else if (seg.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                trailingSlash = last;
            } else {
                out.add(seg);
                trailingSlash = false;
            }
            i = j + 1;
        }
        StringBuilder b = new StringBuilder(p.length());
        for (String seg : out) {
            b.append('/').append(seg);
        }
        if (trailingSlash || b.isEmpty()) {
            b.append('/');
        }
        return b.toString();
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
