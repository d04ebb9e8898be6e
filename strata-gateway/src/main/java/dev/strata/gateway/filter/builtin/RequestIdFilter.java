package dev.strata.gateway.filter.builtin;

import dev.strata.gateway.filter.FilterBuild;
import dev.strata.gateway.filter.FilterContext;
import dev.strata.gateway.filter.FilterType;
import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.filter.WarmupMode;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code request_id}: every request carries an id that the upstream, the access log and (by default)
 * the client see. A client's own id is kept when {@code trust_incoming} and it is sane (1 to
 * {@value #MAX_LENGTH} visible ASCII characters); otherwise the gateway makes one, 32 hex digits (128
 * random bits, as nginx's {@code $request_id}).
 */
final class RequestIdFilter implements HttpFilter {

    static final int MAX_LENGTH = 200;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The settings; every one has a default. */
    record Settings(String header, Boolean trustIncoming, Boolean inResponse) {
        Settings {
            header = header == null ? "X-Request-Id" : header;
            trustIncoming = trustIncoming == null || trustIncoming;
            inResponse = inResponse == null || inResponse;
        }
    }

    static final class Type implements FilterType<Settings> {
        @Override
        public String name() {
            return "request_id";
        }

        @Override
        public Class<Settings> settings() {
            return Settings.class;
        }

        @Override
        public WarmupMode warmup() {
            return WarmupMode.THROWAWAY_STATE; // no state
        }

        @Override
        public HttpFilter create(Settings settings, FilterBuild build) {
            Settings s = settings == null ? new Settings(null, null, null) : settings;
            new HeaderEdits().set(s.header(), "x"); // the name must be a field name
            return new RequestIdFilter(s.header(), s.trustIncoming(), s.inResponse());
        }
    }

    private final String header;
    private final boolean trustIncoming;
    private final boolean inResponse;

    private RequestIdFilter(String header, boolean trustIncoming, boolean inResponse) {
        this.header = header;
        this.trustIncoming = trustIncoming;
        this.inResponse = inResponse;
    }

    @Override
    public Verdict onRequest(FilterContext context) {
        String id = trustIncoming ? context.request().header(header) : null;
        if (id == null || !sane(id)) {
            id = generate();
        }
        context.upstreamHeaders().set(header, id);
        context.logField("request_id", id);
        if (inResponse) {
            context.clientHeaders().set(header, id);
        }
        return Verdict.CONTINUE;
    }

    static boolean sane(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[32];
        long a = r.nextLong();
        long b = r.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }
}
