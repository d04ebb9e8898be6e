package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.ResponseView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A response head as received from an upstream.
 *
 * <p>Its bytes and field offsets are not copied: they are the event loop's parse scratch, which the next
 * head parsed on this thread overwrites. That is safe because a response head is used at once: the
 * decoder hands each head on by itself (before it parses anything else) and the exchange turns it into
 * the client's head within that call. Its framing facts ({@link #status}, the lengths) are plain fields
 * and stay. {@link #live()} tells whether the bytes still are this head's. Copying them cost about a
 * third of what the proxy allocated per request.
 */
final class ResponseHead extends Head implements ResponseView {

    final int status;
    final boolean http11;
    /** Start of the status code in {@link #bytes}; the code, a space and the reason run to the line's end. */
    final int statusStart;

    private final HeadParser parser;
    private final long feeds;

    private ResponseHead(HeadParser p, int length, int status, boolean http11, int statusStart) {
        super(p.scratchHead(), length, p.startLineStart(), p.startLineEnd(), p.scratchFields(), p.scratchKinds(),
                p.fieldCount());
        this.status = status;
        this.http11 = http11;
        this.statusStart = statusStart;
        this.parser = p;
        this.feeds = p.scratchFeeds();
    }

    /** Whether the bytes and fields are still this head's (nothing was parsed on this thread since). */
    boolean live() {
        return parser.scratchFeeds() == feeds;
    }

    /** The head the parser just completed, or {@code null} when its status line is malformed. */
    static ResponseHead of(HeadParser p, int length) {
        byte[] b = p.scratchHead();
        int s = p.startLineStart();
        int e = p.startLineEnd();
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (e - s < 12 || b[s] != 'H' || b[s + 1] != 'T' || b[s + 2] != 'T' || b[s + 3] != 'P' || b[s + 4] != '/'
                || b[s + 5] != '1' || b[s + 6] != '.' || (b[s + 7] != '0' && b[s + 7] != '1') || b[s + 8] != ' ') {
            return null;
        }
        int c = s + 9;
        int status = 0;
        for (int i = c; i < c + 3; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            status = status * 10 + d;
        }
        if (status < 100 || (e > c + 3 && b[c + 3] != ' ')) {
            return null;
        }
        return new ResponseHead(p, length, status, b[s + 7] == '1', c);
    }

    /** Whether this response never has a body, whatever its fields say (RFC 9112 §6.3). */
    boolean bodyless() {
        return status < 200 || status == 204 || status == 304;
    }

    /** Whether the upstream keeps the connection open after this response. */
    boolean keepAlive() {
        return http11 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    @Override
    public int status() {
        return status;
    }



    @Override
    public List<String> fields() {
        List<String> out = new ArrayList<>(fieldCount() * 2);
        for (int i = 0, n = fieldCount(); i < n; i++) {
            out.add(name(i));
            out.add(value(i));
        }
        return out;
    }

    @Override
    public boolean local() {
        return false;
    }

    /** A copy of the head's status and fields, valid for good (the head itself is the parse scratch's). */
    @Override
    public ResponseView copy() {
        return new CopiedHead(status, List.copyOf(fields()));
    }

    /** A response head kept after its parse scratch is gone. */
    record CopiedHead(int status, List<String> fields) implements ResponseView {
        @Override
        public String header(String name) {
            return FieldPairs.first(fields, name);
        }

        @Override
        public List<String> headers(String name) {
            return FieldPairs.all(fields, name);
        }

        @Override
        public boolean local() {
            return false;
        }

        @Override
        public ResponseView copy() {
            return this;
        }
    }
}
