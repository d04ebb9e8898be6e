package dev.strata.gateway.key;

import dev.strata.gateway.filter.RequestView;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Where the key of a request comes from, as the configuration spells it: consistent hashing places a
 * request by its key ({@code balance.hash_on}), and a rate limiter counts requests by it. Immutable and
 * thread-safe; {@link #of} runs on the request's event loop and takes no lock.
 *
 * <table>
 *   <caption>Spellings</caption>
 *   <tr><th>spelling</th><th>the key</th><th>no key when</th></tr>
 *   <tr><td>{@code client_address}</td><td>the client's address as the trusted-proxy rules give it
 *       ({@link RequestView#clientAddress()}), cut to {@code ipv4Prefix} or {@code ipv6Prefix} bits, so
 *       that e.g. a whole IPv6 /64 is one key</td><td>the address is unknown</td></tr>
 *   <tr><td>{@code header:NAME}</td><td>the first value of header NAME</td><td>absent or empty</td></tr>
 *   <tr><td>{@code cookie:NAME}</td><td>cookie NAME, read from every {@code Cookie} field</td>
 *       <td>absent or empty</td></tr>
 *   <tr><td>{@code path}</td><td>the path of the target, without the query</td><td>never</td></tr>
 *   <tr><td>{@code query:NAME}</td><td>the percent-decoded value of the first parameter NAME of the
 *       query ({@code +} is a space)</td><td>absent or empty</td></tr>
 *   <tr><td>{@code constant:VALUE}, {@code global}</td><td>VALUE; {@code global} is
 *       {@code constant:global}: every request has the same key</td><td>never</td></tr>
 * </table>
 *
 * <h2>Design notes</h2>
 *
 * <h3>One extractor</h3>
 * Every feature that groups requests by something reads it through this class, so that the spellings,
 * their validation and their error message exist once, and a request has the same key for the balancer
 * as for the limiter. A request without a key gets {@code null}; the caller decides what that means
 * (the balancer spreads such a request freely).
 *
 * <h3>Cost</h3>
 * {@link #of} allocates only the key it returns, when that is not a string the request already holds:
 * the path and header values are the view's own strings; a cookie or query value is cut out of its
 * field, and decoded only when it contains {@code %} or {@code +}; a client address is formatted, and
 * masked only when a prefix is shorter than the address.
 */
public final class RequestKey {

    private static final String EXPECTED =
            "client_address, path, header:NAME, cookie:NAME, query:NAME, constant:VALUE or global";

    /** What holds the key. */
    private enum Source { CLIENT_ADDRESS, HEADER, COOKIE, PATH, QUERY, CONSTANT }

    private final Source source;
    /** The header, cookie or parameter name, or the constant; {@code null} for the others. */
    private final String name;
    private final int ipv4Prefix;
    private final int ipv6Prefix;

    private RequestKey(Source source, String name, int ipv4Prefix, int ipv6Prefix) {
        this.source = source;
        this.name = name;
        this.ipv4Prefix = ipv4Prefix;
        this.ipv6Prefix = ipv6Prefix;
    }

    /**
     * The key a spelling names (see the table above), with whole client addresses ({@code /32} and
     * {@code /128}).
     *
     * @throws IllegalArgumentException for any other spelling, with one message that lists them all
     */
    public static RequestKey parse(String spelling) {
        return parse(spelling, 32, 128);
    }

    /**
     * As {@link #parse(String)}, with {@code client_address} cut to the given prefix lengths. For the
     * other spellings the prefixes must be whole addresses (32 and 128), so that a prefix set by mistake
     * on a key that has no address fails rather than being ignored.
     *
     * @param ipv4Prefix bits of an IPv4 client address that make the key, 0..32
     * @param ipv6Prefix bits of an IPv6 client address that make the key, 0..128; 64 makes one key of a
     *                   /64, the block a single home or host is usually given
     */
    public static RequestKey parse(String spelling, int ipv4Prefix, int ipv6Prefix) {
        if (ipv4Prefix < 0 || ipv4Prefix > 32) {
            throw new IllegalArgumentException(String.format("ipv4Prefix: %s (expected: 0..32)", ipv4Prefix));
        }
        if (ipv6Prefix < 0 || ipv6Prefix > 128) {
            throw new IllegalArgumentException(String.format("ipv6Prefix: %s (expected: 0..128)", ipv6Prefix));
        }
        RequestKey key = parseSpelling(spelling);
        if (key.source == Source.CLIENT_ADDRESS) {
            return new RequestKey(Source.CLIENT_ADDRESS, null, ipv4Prefix, ipv6Prefix);
        }
        if (ipv4Prefix != 32 || ipv6Prefix != 128) {
            throw new IllegalArgumentException(String.format(
                    "%s: %s (expected: %s unless the key is client_address, not %s)",
                    ipv4Prefix != 32 ? "ipv4Prefix" : "ipv6Prefix", ipv4Prefix != 32 ? ipv4Prefix : ipv6Prefix,
                    ipv4Prefix != 32 ? 32 : 128, spelling));
        }
        return key;
    }

    private static RequestKey parseSpelling(String spelling) {
        if (spelling != null) {
            switch (spelling) {
                case "client_address":
                    return new RequestKey(Source.CLIENT_ADDRESS, null, 32, 128);
                case "path":
                    return new RequestKey(Source.PATH, null, 32, 128);
                case "global":
                    return new RequestKey(Source.CONSTANT, "global", 32, 128);
                default:
                    break;
            }
            int colon = spelling.indexOf(':');
            String prefix = colon < 0 ? "" : spelling.substring(0, colon);
            String name = spelling.substring(colon + 1);
            Source source = switch (prefix) {
                case "header" -> isToken(name) ? Source.HEADER : null;
                case "cookie" -> isToken(name) ? Source.COOKIE : null;
                case "query" -> isParameterName(name) ? Source.QUERY : null;
                case "constant" -> isConstant(name) ? Source.CONSTANT : null;
                default -> null;
            };
            if (source != null) {
                return new RequestKey(source, name, 32, 128);
            }
        }
        throw new IllegalArgumentException(String.format("key: %s (expected: %s)", spelling, EXPECTED));
    }

    /** The key of {@code request}, or {@code null} when the request carries none. */
    public String of(RequestView request) {
        return switch (source) {
            case PATH -> request.path();
            case HEADER -> nonEmpty(request.header(name));
            case COOKIE -> Cookies.value(request.headers("cookie"), name);
            case QUERY -> QueryParameters.value(request.query(), name);
            case CLIENT_ADDRESS -> address(request);
            case CONSTANT -> name;
        };
    }

    private String address(RequestView request) {
        InetAddress address = request.clientAddress();
        if (address == null) {
            return null;
        }
        int bits = address instanceof java.net.Inet4Address ? 32 : 128;
        int prefix = bits == 32 ? ipv4Prefix : ipv6Prefix;
        if (prefix == bits) {
            return request.clientIp(); // formatted once per connection when it is the peer
        }
        byte[] bytes = address.getAddress();
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes, from an address
        }
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** RFC 9110 token: one or more of {@code !#$%&'*+-.^_`|~}, digits and letters. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alphanumeric = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** A parameter name as it reads decoded: not empty, visible ASCII, none of {@code & = # %}. */
    private static boolean isParameterName(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c > 0x20 && c < 0x7f && "&=#%".indexOf(c) < 0);
    }

    /** A constant: not empty, no control characters. */
    private static boolean isConstant(String s) {
        return !s.isEmpty() && s.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestKey k && source == k.source && Objects.equals(name, k.name)
                && ipv4Prefix == k.ipv4Prefix && ipv6Prefix == k.ipv6Prefix;
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, name, ipv4Prefix, ipv6Prefix);
    }

    /** The spelling, e.g. {@code cookie:session}; a client address key names its prefixes when they are not whole. */
    @Override
    public String toString() {
        return switch (source) {
            case CLIENT_ADDRESS -> ipv4Prefix == 32 && ipv6Prefix == 128 ? "client_address"
                    : "client_address (ipv4_prefix " + ipv4Prefix + ", ipv6_prefix " + ipv6Prefix + ")";
            case PATH -> "path";
            case HEADER -> "header:" + name;
            case COOKIE -> "cookie:" + name;
            case QUERY -> "query:" + name;
            case CONSTANT -> "constant:" + name;
        };
    }
}
