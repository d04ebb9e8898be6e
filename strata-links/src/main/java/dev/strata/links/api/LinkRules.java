package dev.strata.links.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** What a target URL and a short code may be, and how codes are generated. */
final class LinkRules {

    static final int MAX_URL_LENGTH = 2048;
    static final int GENERATED_CODE_LENGTH = 7;
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_-]{3,32}");
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** First path segments the service or an operator may need; never a short code (compared ignoring case). */
    static final Set<String> RESERVED = Set.of("api", "_strata", "healthz", "readyz", "livez", "static", "assets",
            "favicon.ico", "robots.txt", "admin", "metrics", "health", "status", "login", "logout", "well-known");

    private final SecureRandom random = new SecureRandom();

    /** A random base62 code of {@value #GENERATED_CODE_LENGTH} characters. */
    String generateCode() {
        char[] chars = new char[GENERATED_CODE_LENGTH];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = BASE62.charAt(random.nextInt(BASE62.length()));
        }
        return new String(chars);
    }

    /** Whether {@code code} has the shape of a short code (reserved words included). */
    static boolean looksLikeCode(String code) {
        return CODE.matcher(code).matches();
    }

    /** Throws a 400 problem unless {@code code} may be chosen for a new link. */
    static void checkChosenCode(String code) {
        if (!looksLikeCode(code)) {
            throw new ProblemException(400, "code: '%s' (expected: 3 to 32 of A-Z a-z 0-9 _ -)".formatted(abbreviate(code)));
        }
        if (RESERVED.contains(code.toLowerCase(Locale.ROOT))) {
            throw new ProblemException(400, "code: '%s' is reserved".formatted(code));
        }
    }

    /** Throws a 400 problem unless {@code url} is an absolute http(s) URL with a host. */
    static void checkUrl(String url) {
        if (url.isEmpty()) {
            throw new ProblemException(400, "url: '' (expected: an absolute http or https URL)");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw new ProblemException(400, "url: %d characters (expected: at most %d)".formatted(url.length(), MAX_URL_LENGTH));
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                throw new ProblemException(400, "url: contains whitespace or a control character at index " + i);
            }
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ProblemException(400, "url: not a valid URI (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new ProblemException(400, "url: '%s' (expected: an absolute http or https URL)".formatted(abbreviate(url)));
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ProblemException(400, "url: '%s' has no host".formatted(abbreviate(url)));
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
