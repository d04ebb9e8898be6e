package dev.strata.data.route;

/**
 * A position in the primary's write-ahead log (a PostgreSQL {@code pg_lsn}), written as
 * {@code 16/B374D848}: the high and low 32 bits in hexadecimal.
 */
public record WalPosition(long value) implements Comparable<WalPosition> {

    public static final WalPosition ZERO = new WalPosition(0);

    public static WalPosition parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash > 8 || text.length() - slash - 1 > 8 || text.length() == slash + 1) {
            throw new IllegalArgumentException("position: '%s' (expected: e.g. 16/B374D848)".formatted(text));
        }
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            return new WalPosition(high << 32 | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("position: '%s' (expected: e.g. 16/B374D848)".formatted(text));
        }
    }

    /** Bytes from {@code earlier} to this position; 0 when {@code earlier} is not behind. */
    public long bytesAfter(WalPosition earlier) {
        return Long.compareUnsigned(value, earlier.value) > 0 ? value - earlier.value : 0;
    }

    public boolean reached(WalPosition target) {
        return Long.compareUnsigned(value, target.value) >= 0;
    }

    @Override
    public int compareTo(WalPosition other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
