package dev.strata.gateway.admin;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One resource of the admin listener that a feature brings ({@code /_strata/cache},
 * {@code /_strata/purge}, {@code /_strata/limits} ...), registered by a filter type through
 * {@link dev.strata.gateway.filter.FilterBuild#admin}. The listener does the rest the same way for all
 * of them: the method check (405 with {@code Allow}), the token and cross-site rules for mutating calls,
 * the size bound of the request, problem+json for what it refuses, and the framing. A resource that only
 * shows something is one line: {@code AdminResource.json("/_strata/NAME", request -> json())}.
 */
public interface AdminResource {

    /** The path, as {@code /_strata/NAME}. */
    String path();

    /** The methods it answers, upper case ({@code GET} implies {@code HEAD}). */
    java.util.Set<String> methods();

    /** Whether a call with {@code method} changes the gateway (then it needs what a reload needs). */
    default boolean mutating(String method) {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    /**
     * The title of this resource's panel on the dashboard ({@code /_strata/}), or {@code null} for none.
     * A resource with a title answers {@code GET} with JSON: the page polls it every second and draws
     * an object of values as a list, an array of objects as a table.
     */
    default String panel() {
        return null;
    }

    /**
     * Answers one call; may complete on any thread. A failed stage becomes a 500 problem without the
     * exception's text; throw or complete with {@link IllegalArgumentException} for a 400 naming what
     * was wrong with the request.
     */
    CompletionStage<AdminReply> handle(AdminRequest request);

    /**
     * A read-only resource at {@code path}: it answers {@code GET} (and {@code HEAD}) with what {@code reply}
     * makes of each call, at once, on the admin listener's thread (keep it cheap). A reply that throws
     * {@link IllegalArgumentException} is a 400 naming what was wrong, anything else a 500.
     */
    static AdminResource get(String path, Function<AdminRequest, AdminReply> reply) {
        return new ReadOnlyResource(path, reply);
    }

    /** As {@link #get}, answering {@code 200} with the JSON text {@code json} makes of each call. */
    static AdminResource json(String path, Function<AdminRequest, String> json) {
        Objects.requireNonNull(json, "json");
        return new ReadOnlyResource(path, request -> AdminReply.json(200, json.apply(request)));
    }
}
