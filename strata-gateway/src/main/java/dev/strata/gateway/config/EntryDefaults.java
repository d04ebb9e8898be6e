package dev.strata.gateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.common.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Gives a user's list or map entry the keys it leaves out, taken from the first entry of the same
 * list or map in the built-in defaults: the user writes {@code web: {endpoints: [...]}} and gets the
 * default health, pool and retry settings. The merge is the loader's own
 * ({@link ConfigLoader#deepMerge}), so an entry merges over its template exactly as a file merges
 * over the defaults.
 */
abstract class EntryDefaults<T> extends StdDeserializer<T> {
    private static final long serialVersionUID = 1L;
    private static final JsonNode DEFAULTS = load();

    private final transient JsonNode template;

    EntryDefaults(Class<T> type, JsonNode template) {
        super(type);
        this.template = template;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode own = ctxt.readTree(p);
        if (!own.isObject()) {
            return (T) ctxt.handleUnexpectedToken(handledType(), p);
        }
        ObjectNode merged = template.deepCopy();
        ConfigLoader.deepMerge(merged, (ObjectNode) own);
        return ctxt.readTreeAsValue(merged, (Class<T>) handledType());
    }

    private static JsonNode load() {
        try (InputStream in = EntryDefaults.class.getClassLoader().getResourceAsStream("strata/defaults/gateway.yaml")) {
            return ConfigLoader.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Listener extends EntryDefaults<ListenerConfig> {
        private static final long serialVersionUID = 1L;

        Listener() {
            super(ListenerConfig.class, DEFAULTS.path("listeners").path(0));
        }
    }

    static final class Route extends EntryDefaults<RouteConfig> {
        private static final long serialVersionUID = 1L;

        Route() {
            super(RouteConfig.class, DEFAULTS.path("routes").path(0));
        }
    }

    /**
     * A route's {@code respond:}: no headers and no body unless given, so {@code {status: 204}} is complete.
     * The default route's {@code respond} is {@code null} (no direct response), so the template is here.
     */
    static final class Respond extends EntryDefaults<RouteConfig.Respond> {
        private static final long serialVersionUID = 1L;

        Respond() {
            super(RouteConfig.Respond.class, respondTemplate());
        }

        private static JsonNode respondTemplate() {
            ObjectNode t = JsonNodeFactory.instance.objectNode();
            t.putObject("headers");
            t.put("body", "");
            return t;
        }
    }

    static final class Upstream extends EntryDefaults<UpstreamConfig> {
        private static final long serialVersionUID = 1L;

        Upstream() {
            super(UpstreamConfig.class, DEFAULTS.path("upstreams").path("app"));
        }
    }
}
