package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.testing.Buffers;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fields the codec recognises in its one pass, and that recognising them changes nothing on the wire. */
class FieldKindTest {

    private static final Map<String, Byte> READ_BY_FILTERS = Map.ofEntries(
            Map.entry("Cache-Control", FieldKind.CACHE_CONTROL), Map.entry("Pragma", FieldKind.PRAGMA),
            Map.entry("Vary", FieldKind.VARY), Map.entry("Age", FieldKind.AGE), Map.entry("Date", FieldKind.DATE),
            Map.entry("Expires", FieldKind.EXPIRES), Map.entry("ETag", FieldKind.ETAG),
            Map.entry("Last-Modified", FieldKind.LAST_MODIFIED), Map.entry("If-None-Match", FieldKind.IF_NONE_MATCH),
            Map.entry("If-Modified-Since", FieldKind.IF_MODIFIED_SINCE),
            Map.entry("Authorization", FieldKind.AUTHORIZATION), Map.entry("Set-Cookie", FieldKind.SET_COOKIE),
            Map.entry("Surrogate-Key", FieldKind.SURROGATE_KEY), Map.entry("Cache-Tag", FieldKind.CACHE_TAG),
            Map.entry("CDN-Cache-Control", FieldKind.CDN_CACHE_CONTROL), Map.entry("Cookie", FieldKind.COOKIE));

    @Test
    void everyFieldAFilterReadsIsRecognisedInAnyCase() {
        READ_BY_FILTERS.forEach((name, kind) -> {
            for (String spelled : new String[] {name, name.toLowerCase(), name.toUpperCase()}) {
                byte[] b = Wire.ascii(spelled);
                assertThat(FieldKind.of(b, 0, b.length)).as(spelled).isEqualTo(kind);
                assertThat(FieldKind.hopByHop(kind)).as(spelled).isFalse();
            }
        });
        byte[] near = Wire.ascii("Cache-Controls");
        assertThat(FieldKind.of(near, 0, near.length)).isEqualTo(FieldKind.OTHER);
    }

    @Test
    void recognisedFieldsCrossTheProxyBothWaysAsTheyCame() {
        String fields = "Cache-Control: max-age=60\r\nVary: Accept\r\nETag: \"x\"\r\nCookie: a=1\r\n"
                + "Authorization: Bearer t\r\nSurrogate-Key: k1 k2\r\n";
        RequestHead req = request("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n");
        String up = Buffers.text(Wire.requestHead(ByteBufAllocator.DEFAULT, req,
                new Wire.Peer(Wire.ascii("10.0.0.9"), Wire.ascii("for=10.0.0.9"), false), null, null));
        assertThat(up).contains(fields);
        assertThat(req.header("cache-control")).isEqualTo("max-age=60");
        assertThat(req.header("COOKIE")).isEqualTo("a=1");

        ResponseDecoder d = new ResponseDecoder();
        d.expectResponseTo(false);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + fields + "\r\n",
                StandardCharsets.ISO_8859_1));
        ResponseHead res = ch.readInbound();
        String down = Buffers.text(Wire.responseHead(ByteBufAllocator.DEFAULT, res, false, false, true, null,
                new HeaderEdits().remove("surrogate-key").set("Cache-Control", "no-store")));
        ch.finishAndReleaseAll();
        assertThat(down).contains("Vary: Accept\r\nETag: \"x\"\r\n").contains("Cache-Control: no-store\r\n")
                .doesNotContain("Surrogate-Key").doesNotContain("max-age=60");
    }

    private static RequestHead request(String head) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(() -> Limits.of("8KiB", "32KiB"), null));
        ch.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
        RequestHead h = ch.readInbound();
        ch.finishAndReleaseAll();
        return h;
    }
}
