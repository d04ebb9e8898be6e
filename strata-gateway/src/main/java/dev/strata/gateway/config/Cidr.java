package dev.strata.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block such as {@code 10.0.0.0/8} or {@code ::1/128}; a bare address is a /32 or /128. */
public record Cidr(byte[] network, int prefix) {

    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes;
        try {
            if (!addr.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                throw new UnknownHostException(addr);
            }
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("trusted_proxies: '" + text + "' (expected: CIDR like 10.0.0.0/8)");
        }
        int prefix;
        try {
            prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("trusted_proxies: '" + text + "' (expected: CIDR like 10.0.0.0/8)");
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("trusted_proxies: '" + text + "' (expected: prefix 0.." + bytes.length * 8 + ")");
        }
        return new Cidr(bytes, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }
}
