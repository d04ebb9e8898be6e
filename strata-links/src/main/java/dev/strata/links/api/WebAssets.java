package dev.strata.links.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The page at {@code /} and its assets. Each asset is served under a name that carries a hash of
 * its content ({@code app.3f2a9c41d0.js}), so it can be cached forever: a new version is a new name.
 */
final class WebAssets {

    private static final String ROOT = "strata/links/web/";

    record Asset(String contentType, byte[] bytes) {}

    private final Map<String, Asset> byFingerprintedName = new LinkedHashMap<>();
    private final byte[] indexHtml;

    WebAssets(String nodeName) {
        String html = new String(load("index.html"), StandardCharsets.UTF_8);
        for (String[] asset : new String[][] {{"app.js", "text/javascript; charset=utf-8"}, {"app.css", "text/css; charset=utf-8"}}) {
            byte[] bytes = load(asset[0]);
            int dot = asset[0].lastIndexOf('.');
            String name = asset[0].substring(0, dot) + "." + fingerprint(bytes) + asset[0].substring(dot);
            byFingerprintedName.put(name, new Asset(asset[1], bytes));
            html = html.replace("{{" + asset[0] + "}}", name);
        }
        this.indexHtml = html.replace("{{node}}", nodeName).getBytes(StandardCharsets.UTF_8);
    }

    byte[] indexHtml() {
        return indexHtml;
    }

    Optional<Asset> asset(String fingerprintedName) {
        return Optional.ofNullable(byFingerprintedName.get(fingerprintedName));
    }

    private static byte[] load(String name) {
        try (InputStream in = WebAssets.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + ROOT + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String fingerprint(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
