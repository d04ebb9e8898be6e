package dev.strata.data.route;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Consistency tokens: the WAL position of a write, signed, for the client to carry to its next
 * reads so that any node serves them at least that fresh, with no shared session state.
 *
 * <p>A token reads {@code 1.<position>.<expiry>.<mac>}: the position as 16 hex digits, the expiry
 * in epoch seconds, and {@code base64url(HMAC-SHA256(secret, "consistency-token\0" + the first three
 * fields))}. The prefix keeps these MACs apart from any other MAC made under the same secret. A
 * client cannot forge a position (which could send every read of its own to the primary) nor keep
 * one alive past its expiry; a token that fails any check is no token at all.
 */
public final class ConsistencyTokens {

    /** Longest token accepted; anything longer is not read. */
    public static final int MAX_LENGTH = 128;
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] DOMAIN = "consistency-token\0".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    public ConsistencyTokens(String secret, Duration ttl, Clock clock) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("secret: '' (expected: not empty)");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: %s (expected: > 0)".formatted(ttl));
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.ttl = ttl;
        this.clock = clock;
    }

    public String issue(WalPosition position) {
        long expiry = clock.instant().plus(ttl).getEpochSecond();
        String payload = "1." + String.format("%016x", position.value()) + "." + expiry;
        return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(payload));
    }

    /** The position of a genuine, unexpired token; empty for anything else. */
    public Optional<WalPosition> verify(String token) {
        if (token == null || token.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int lastDot = token.lastIndexOf('.');
        if (lastDot < 0) {
            return Optional.empty();
        }
        String payload = token.substring(0, lastDot);
        byte[] expected = Base64.getUrlEncoder().withoutPadding().encodeToString(mac(payload))
                .getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, token.substring(lastDot + 1).getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        String[] fields = payload.split("\\.", -1);
        if (fields.length != 3 || !fields[0].equals("1") || !fields[1].matches("[0-9a-f]{16}")
                || !fields[2].matches("[0-9]{1,12}")) {
            return Optional.empty();
        }
        long now = clock.instant().getEpochSecond();
        long expiry = Long.parseLong(fields[2]);
        if (expiry <= now || expiry > now + ttl.toSeconds() + 1) {
            return Optional.empty();
        }
        return Optional.of(new WalPosition(Long.parseUnsignedLong(fields[1], 16)));
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(DOMAIN);
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable", e);
        }
    }
}
