package dev.strata.gateway.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code Surrogate-Control} (the W3C Edge Architecture Specification 1.0), the oldest field by which an origin
 * tells surrogates apart from the caches behind them. It is the last targeted field this cache
 * reads (after {@code Strata-Cache-Control} and {@code CDN-Cache-Control}, RFC 9213 §2.1), in the
 * same way: when it has a directive for this cache, {@code Cache-Control} and {@code Expires} are
 * not used. Its syntax is {@code Cache-Control}'s but for two additions: a
 * directive may end in {@code ;device-token} to aim it at the surrogates that sent that token in
 * {@code Surrogate-Capability} (this cache sends {@value #CAPABILITY} upstream, so a directive aimed
 * at {@value #TOKEN} is its own, one aimed elsewhere is not), and {@code max-age=N+M} adds M seconds
 * in which a stale response may be served (this cache keeps to N).
 */
final class SurrogateControl {

    static final String NAME = "surrogate-control";
    /** The device token by which an origin aims a directive at this cache. */
    static final String TOKEN = "strata";
    /** What the cache sends upstream in {@code Surrogate-Capability}: its token and the protocol it speaks. */
    static final String CAPABILITY = TOKEN + "=\"Surrogate/1.0\"";

    private SurrogateControl() {}

    /**
     * The field's lines as one {@code Cache-Control} line (empty when nothing is for this cache): the
     * directives aimed at this cache first (of a directive given twice the first counts, so they win
     * over the same directive for every surrogate), then those for every surrogate, extensions cut.
     */
    static List<String> forThisCache(List<String> lines) {
        List<String> mine = new ArrayList<>(2);
        List<String> all = new ArrayList<>(4);
        for (String line : lines) {
            for (String member : members(line)) {
                String m = member.strip();
                int semi = m.indexOf(';');
                List<String> to = all;
                if (semi >= 0) {
                    if (!m.substring(semi + 1).strip().equalsIgnoreCase(TOKEN)) {
                        continue; // aimed at other surrogates
                    }
                    m = m.substring(0, semi).strip();
                    to = mine;
                }
                if (m.toLowerCase(Locale.ROOT).startsWith("max-age=") && m.indexOf('+') > 0) {
                    m = m.substring(0, m.indexOf('+'));
                }
                if (!m.isEmpty()) {
                    to.add(m);
                }
            }
        }
        mine.addAll(all);
        return mine.isEmpty() ? List.of() : List.of(String.join(", ", mine));
    }

    /** The comma-separated members of one line; a comma inside a quoted string does not separate. */
    private static List<String> members(String line) {
        List<String> out = new ArrayList<>(4);
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted) {
                i++;
            } else if (c == ',' && !quoted) {
                out.add(line.substring(start, i));
                start = i + 1;
            }
        }
        out.add(line.substring(start));
        return out;
    }
}
