package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.RequestView;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request head as received from a client, or the refusal of one ({@link #failureStatus} not 0, with
 * no fields). Framing rules (RFC 9112 §6, with the strictness a proxy needs against smuggling) are
 * checked in {@link #framingProblem()}.
 */
final class RequestHead extends Head implements RequestView {

    private static final byte[] NO_BYTES = new byte[0];
    private static final byte[] HTTP_1_1 = Wire.ascii("HTTP/1.1");
    private static final byte[] HTTP_1_0 = Wire.ascii("HTTP/1.0");

    final String method;
    final int methodEnd;
    final int targetStart;
    final int targetEnd;
    final String target;
    final boolean http11;
    final boolean head;
    final boolean idempotent;

    final int failureStatus;
    final String failure;

    private RequestHead(byte[] bytes, int startLineStart, int startLineEnd, int[] fields, byte[] kinds,
                        String method, int methodEnd, int targetStart, int targetEnd, boolean http11,
                        int failureStatus, String failure) {
        super(bytes, bytes.length, startLineStart, startLineEnd, fields, kinds, kinds.length);
        this.method = method;
        this.methodEnd = methodEnd;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.target = failureStatus != 0 ? "/" : new String(bytes, targetStart, targetEnd - targetStart,
                StandardCharsets.ISO_8859_1);
        this.http11 = http11;
        this.head = "HEAD".equals(method);
        this.idempotent = switch (method) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
            default -> false;
        };
        this.failureStatus = failureStatus;
        this.failure = failure;
    }

    /** A refused head: answered with {@code status} and the connection closed. */
    static RequestHead failed(int status, String reason) {
        return new RequestHead(NO_BYTES, 0, 0, new int[0], new byte[0], "-", 0, 0, 0, false, status, reason);
    }

    /**
     * The head the parser just completed ({@code length} bytes), or a refusal when its request line is
     * malformed.
     */
    static RequestHead of(HeadParser p, int length) {
        byte[] b = p.copyHead(length);
        int s = p.startLineStart();
        int e = p.startLineEnd();
        int sp1 = s;
        while (sp1 < e && b[sp1] != ' ') {
            if (!HeadParser.isToken(b[sp1])) {
                return failed(400, "invalid request method");
            }
            sp1++;
        }
        int sp2 = sp1 + 1;
        while (sp2 < e && b[sp2] != ' ') {
            sp2++;
        }
        if (sp1 == s || sp1 >= e || sp2 == sp1 + 1 || sp2 >= e) {
            return failed(400, "malformed request line");
        }
        int vs = sp2 + 1;
        boolean http11;
        if (e - vs == HTTP_1_1.length && same(b, vs, HTTP_1_1)) {
            http11 = true;
        } else if (e - vs == HTTP_1_0.length && same(b, vs, HTTP_1_0)) {
            http11 = false;
        } else if (e - vs == 8 && b[vs] == 'H' && b[vs + 1] == 'T' && b[vs + 2] == 'T' && b[vs + 3] == 'P'
                && b[vs + 4] == '/' && digit(b[vs + 5]) && b[vs + 6] == '.' && digit(b[vs + 7])) {
            return failed(505, "only HTTP/1.0 and HTTP/1.1 are served here");
        } else {
            return failed(400, "malformed request line");
        }
        return new RequestHead(b, s, e, p.copyFields(), p.copyKinds(), method(b, s, sp1), sp1, sp1 + 1, sp2,
                http11, 0, null);
    }

    /** The reason this head frames its body ambiguously, or {@code null} if it is fine. */
    String framingProblem() {
        if (contentLengths > 1) {
            return "more than one Content-Length";
        }
        if (contentLengths == 1 && contentLength < 0) {
            return "invalid Content-Length";
        }
        if (transferEncoding) {
            if (contentLengths > 0) {
                return "both Content-Length and Transfer-Encoding";
            }
            if (!http11) {
                return "Transfer-Encoding in an HTTP/1.0 request";
            }
            if (!chunkedOnceAndLast) {
                return "Transfer-Encoding must end with chunked, once";
            }
        }
        return null;
    }

    boolean chunked() {
        return transferEncoding;
    }

    /** Whether the client wants the connection kept open after this exchange. */
    boolean keepAlive() {
        return http11 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    String version() {
        return http11 ? "HTTP/1.1" : "HTTP/1.0";
    }

    // what the request view works out lazily; confined to the event loop
    private String path;
    private String originTarget;
    private String normalTarget; // the origin-form target with its path normalized, when that changed it
    private String host;
    private boolean hostKnown;
    private InetAddress clientAddress;
    private String clientIp;
    private InetAddress peer;
    private String peerIp; // the peer's address as text, formatted once per connection
    private Snapshot trustRules;

    /**
     * Where {@link #clientAddress()} comes from: the connection's peer (and its address as text) and the
     * generation's trusted proxies.
     */
    void arrivedFrom(InetAddress peer, String peerIp, Snapshot trustRules) {
        this.peer = peer;
        this.peerIp = peerIp;
        this.trustRules = trustRules;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String target() {
        return target;
    }

    /**
     * The origin-form target with its path in normal form (set by {@link Admission} when normalizing
     * changed it; see {@link RequestSyntax}): what is routed, what {@link #path()} gives and what goes
     * upstream.
     */
    void normalTarget(String target) {
        normalTarget = target;
        path = null;
    }

    /** The target to write upstream in place of the received one, or {@code null} to copy it as it came. */
    String forwardTarget() {
        return normalTarget != null ? normalTarget : absoluteForm() ? originTarget() : null;
    }

    /** The origin-form target that routing sees. */
    String routedTarget() {
        return normalTarget != null ? normalTarget : originTarget();
    }

    @Override
    public String path() {
        String p = path;
        if (p == null) {
            String t = routedTarget();
            int q = t.indexOf('?');
            p = path = q < 0 ? t : t.substring(0, q);
        }
        return p;
    }

    @Override
    public String query() {
        String t = routedTarget();
        int q = t.indexOf('?');
        return q < 0 ? null : t.substring(q + 1);
    }

    /** Whether the target is in absolute form ({@code http://host/path}, RFC 9112 §3.2.2). */
    boolean absoluteForm() {
        return target.startsWith("http://") || target.startsWith("https://");
    }

    /**
     * The target in origin form: as received, or for an absolute-form target its path and query (RFC 3986
     * §3: the authority ends at the first {@code /}, {@code ?} or {@code #}; a fragment is dropped).
     */
    String originTarget() {
        String o = originTarget;
        if (o == null) {
            if (!absoluteForm()) {
                o = target;
            } else {
                int e = authorityEnd();
                int hash = target.indexOf('#', e);
                String rest = target.substring(e, hash < 0 ? target.length() : hash);
                o = rest.isEmpty() ? "/" : rest.charAt(0) == '/' ? rest : "/" + rest;
            }
            originTarget = o;
        }
        return o;
    }

    private int authorityEnd() {
        int e = target.indexOf("://") + 3;
        while (e < target.length() && "/?#".indexOf(target.charAt(e)) < 0) {
            e++;
        }
        return e;
    }

    @Override
    public String host() {
        if (!hostKnown) {
            hostKnown = true;
            if (absoluteForm()) {
                host = target.substring(target.indexOf("://") + 3, authorityEnd());
            } else {
                int f = first(FieldKind.HOST);
                host = f < 0 ? null : value(f);
            }
        }
        return host;
    }

    /** Whether a body follows the head (chunked, or a Content-Length above 0). */
    boolean hasBody() {
        return transferEncoding || contentLength > 0;
    }

    @Override
    public InetAddress clientAddress() {
        InetAddress a = clientAddress;
        if (a == null && peer != null) {
            a = clientAddress = ForwardedFor.client(peer, trustRules, this);
        }
        return a;
    }

    @Override
    public String clientIp() {
        String s = clientIp;
        if (s == null) {
            InetAddress a = clientAddress();
            if (a == null) {
                return null;
            }
            s = clientIp = a == peer && peerIp != null ? peerIp : a.getHostAddress();
        }
        return s;
    }



    private static String method(byte[] b, int s, int e) {
        int n = e - s;
        if (n == 3 && b[s] == 'G' && b[s + 1] == 'E' && b[s + 2] == 'T') return "GET";
        if (n == 4 && b[s] == 'P' && b[s + 1] == 'O' && b[s + 2] == 'S' && b[s + 3] == 'T') return "POST";
        if (n == 4 && b[s] == 'H' && b[s + 1] == 'E' && b[s + 2] == 'A' && b[s + 3] == 'D') return "HEAD";
        return new String(b, s, n, StandardCharsets.ISO_8859_1);
    }

    private static boolean same(byte[] b, int s, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (b[s + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }
}
