package dev.strata.gateway.dashboard;

import dev.strata.gateway.admin.AdminReply;
import dev.strata.gateway.admin.AdminRequest;
import dev.strata.gateway.admin.AdminResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A file of the page, read once from {@code strata/dashboard/} in the jar and served as is. */
final class StaticAsset implements AdminResource {

    private final String path;
    private final String contentType;
    private final byte[] body;

    private StaticAsset(String path, String contentType, byte[] body) {
        this.path = path;
        this.contentType = contentType;
        this.body = body;
    }

    static StaticAsset of(String path, String file, String contentType) {
        String resource = "strata/dashboard/" + file;
        try (InputStream in = StaticAsset.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return new StaticAsset(path, contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same file at another path. */
    StaticAsset at(String other) {
        return new StaticAsset(other, contentType, body);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Set<String> methods() {
        return Set.of("GET");
    }

    @Override
    public CompletionStage<AdminReply> handle(AdminRequest request) {
        return CompletableFuture.completedFuture(new AdminReply(200, contentType, body));
    }
}
