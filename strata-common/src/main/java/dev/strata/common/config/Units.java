package dev.strata.common.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** YAML forms of durations and sizes. */
public final class Units {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Units() {}

    /** Parses {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}; a bare number is seconds. */
    public static Duration parseDuration(String text) {
        String t = text.strip();
        if (t.chars().allMatch(Character::isDigit) && !t.isEmpty()) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("duration: '" + text + "' (expected: e.g. 250ms, 5s, 2m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** A duration as a configuration writes it ({@code 0s}, {@code 250ms}), or {@code missing} for none: for messages. */
    public static String show(Duration d) {
        if (d == null) {
            return "missing";
        }
        return d.isNegative() ? "-" + formatDuration(d.negated()) : formatDuration(d);
    }

    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms != 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms != 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0) return ms / 1000 + "s";
        return ms + "ms";
    }

    static final class DurationDeserializer extends StdDeserializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                    return Duration.ofSeconds(p.getLongValue());
                }
                return parseDuration(p.getValueAsString(""));
            } catch (IllegalArgumentException e) {
                return (Duration) ctxt.handleWeirdStringValue(Duration.class, p.getText(), e.getMessage());
            }
        }
    }

    static final class DurationSerializer extends StdSerializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationSerializer() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(formatDuration(value));
        }
    }

    static final class ByteSizeDeserializer extends StdDeserializer<ByteSize> {
        private static final long serialVersionUID = 1L;

        ByteSizeDeserializer() {
            super(ByteSize.class);
        }

        @Override
        public ByteSize deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                    return new ByteSize(p.getLongValue());
                }
                return ByteSize.parse(p.getValueAsString(""));
            } catch (IllegalArgumentException e) {
                return (ByteSize) ctxt.handleWeirdStringValue(ByteSize.class, p.getText(), e.getMessage());
            }
        }
    }

    static final class ByteSizeSerializer extends StdSerializer<ByteSize> {
        private static final long serialVersionUID = 1L;

        ByteSizeSerializer() {
            super(ByteSize.class);
        }

        @Override
        public void serialize(ByteSize value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }
}
