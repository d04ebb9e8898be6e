package dev.strata.gateway.filter.builtin;

import dev.strata.gateway.filter.FilterBuild;
import dev.strata.gateway.filter.FilterContext;
import dev.strata.gateway.filter.FilterType;
import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.filter.WarmupMode;
import java.util.List;
import java.util.Map;

/**
 * {@code headers}: fixed edits of the request that goes upstream and of the response that goes to the
 * client (nginx's {@code proxy_set_header} and {@code add_header ... always}). Within one side, removals
 * come first, then sets, then additions. Response edits apply to the gateway's own answers too.
 */
final class HeadersFilter implements HttpFilter {

    /** The settings: {@code {request: {set, add, remove}, response: {set, add, remove}}}. */
    record Settings(Side request, Side response) {}

    /** One side's edits. */
    record Side(Map<String, String> set, Map<String, String> add, List<String> remove) {
        HeaderEdits edits(String side) {
            HeaderEdits e = new HeaderEdits();
            try {
                if (remove != null) {
                    remove.forEach(e::remove);
                }
                if (set != null) {
                    set.forEach(e::set);
                }
                if (add != null) {
                    add.forEach(e::add);
                }
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(side + ": " + x.getMessage(), x);
            }
            return e;
        }
    }

    static final class Type implements FilterType<Settings> {
        @Override
        public String name() {
            return "headers";
        }

        @Override
        public Class<Settings> settings() {
            return Settings.class;
        }

        @Override
        public WarmupMode warmup() {
            return WarmupMode.THROWAWAY_STATE; // it has no state: the warm-up runs it as it is
        }

        @Override
        public HttpFilter create(Settings settings, FilterBuild build) {
            HeaderEdits up = settings.request() == null ? new HeaderEdits() : settings.request().edits("request");
            HeaderEdits down = settings.response() == null ? new HeaderEdits() : settings.response().edits("response");
            return new HeadersFilter(up, down);
        }
    }

    private final HeaderEdits upstream;
    private final HeaderEdits client;

    private HeadersFilter(HeaderEdits upstream, HeaderEdits client) {
        this.upstream = upstream;
        this.client = client;
    }

    @Override
    public Verdict onRequest(FilterContext context) {
        if (!upstream.isEmpty()) {
            context.upstreamHeaders().addAll(upstream);
        }
        if (!client.isEmpty()) {
            context.clientHeaders().addAll(client);
        }
        return Verdict.CONTINUE;
    }
}
