package dev.strata.gateway.admin;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A resource that answers {@code GET} (and so {@code HEAD}) and changes nothing; made by
 * {@link AdminResource#get} and {@link AdminResource#json}. Not a record: resources are told apart by
 * identity (one object per path, see {@link dev.strata.gateway.filter.FilterBuild#admin}).
 */
final class ReadOnlyResource implements AdminResource {

    private static final Set<String> GET = Set.of("GET");

    private final String path;
    private final Function<AdminRequest, AdminReply> reply;

    ReadOnlyResource(String path, Function<AdminRequest, AdminReply> reply) {
        this.path = Objects.requireNonNull(path, "path");
        this.reply = Objects.requireNonNull(reply, "reply");
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Set<String> methods() {
        return GET;
    }

    @Override
    public CompletionStage<AdminReply> handle(AdminRequest request) {
        return CompletableFuture.completedFuture(reply.apply(request));
    }
}
