package dev.strata.gateway.dashboard;

import dev.strata.gateway.admin.AdminReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The files of the page, read once from {@code strata/dashboard/} in the jar and served as they are. */
final class StaticAsset {

    private StaticAsset() {}

    /** The answer with {@code file}'s bytes as {@code contentType}. */
    static AdminReply read(String file, String contentType) {
        String resource = "strata/dashboard/" + file;
        try (InputStream in = StaticAsset.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return new AdminReply(200, contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
