package dev.strata.common.config;

/** A size in bytes, written in YAML as {@code 512}, {@code 16KiB}, {@code 8MiB} or {@code 1GiB}. */
public record ByteSize(long bytes) {

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
    }

    public static ByteSize parse(String text) {
        String t = text.strip();
        long unit = 1;
        String number = t;
        for (String[] suffix : new String[][] {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"},
                {"KB", "1000"}, {"MB", "1000000"}, {"GB", "1000000000"}, {"B", "1"}}) {
            if (t.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                number = t.substring(0, t.length() - suffix[0].length()).strip();
                break;
            }
        }
        try {
            return new ByteSize(Math.multiplyExact(Long.parseLong(number), unit));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size: '" + text + "' (expected: e.g. 512, 16KiB, 8MiB, 1GiB)");
        }
    }

    public int intBytes() {
        return Math.toIntExact(bytes);
    }

    @Override
    public String toString() {
        if (bytes != 0 && bytes % 1073741824L == 0) return bytes / 1073741824L + "GiB";
        if (bytes != 0 && bytes % 1048576L == 0) return bytes / 1048576L + "MiB";
        if (bytes != 0 && bytes % 1024L == 0) return bytes / 1024L + "KiB";
        return Long.toString(bytes);
    }
}
