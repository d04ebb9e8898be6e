package dev.strata.links.token;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Manage tokens: {@code base64url(HMAC-SHA256(secret, code))} without padding. Any node holding the
 * same secret verifies a token without shared state; comparison takes constant time.
 */
public final class ManageTokens {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public ManageTokens(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("secret: '' (expected: not empty)");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    public String issue(String code) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(code));
    }

    public boolean verify(String code, String token) {
        byte[] expected = issue(code).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] mac(String code) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(code.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable", e);
        }
    }
}
