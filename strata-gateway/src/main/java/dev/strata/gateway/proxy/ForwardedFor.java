package dev.strata.gateway.proxy;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.List;

/**
 * The client's address behind trusted proxies: the peer, unless it is a trusted proxy, in which case
 * {@code X-Forwarded-For} is read from the right and the first address that is not a trusted proxy is
 * the client (nginx's {@code real_ip_recursive on}). An entry that is not an IP address ends the walk:
 * the last address known good stands, since nothing left of a forged entry can be believed.
 */
final class ForwardedFor {

    private ForwardedFor() {}

    static InetAddress client(InetAddress peer, Snapshot rules, RequestHead request) {
        if (rules == null || request.first(FieldKind.X_FORWARDED_FOR) < 0 || !rules.trusted(peer)) {
            return peer;
        }
        InetAddress client = peer;
        List<String> values = request.headers("x-forwarded-for");
        for (int v = values.size() - 1; v >= 0; v--) {
            String value = values.get(v);
            int end = value.length();
            while (end > 0) {
                int comma = value.lastIndexOf(',', end - 1);
                String entry = value.substring(comma + 1, end).trim();
                end = comma < 0 ? 0 : comma;
                if (entry.isEmpty()) {
                    continue;
                }
                InetAddress a = parse(entry);
                if (a == null) {
                    return client;
                }
                client = a;
                if (!rules.trusted(a)) {
                    return a;
                }
            }
        }
        return client;
    }

    /** An IP literal, also {@code [v6]}, {@code v4:port} or {@code [v6]:port}; {@code null} for anything else. */
    static InetAddress parse(String entry) {
        String s = entry;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return null;
            }
            s = s.substring(1, close);
        } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
            s = s.substring(0, s.indexOf(':')); // v4:port
        }
        return NetUtil.createInetAddressFromIpAddressString(s);
    }
}
