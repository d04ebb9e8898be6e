package dev.strata.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;

/** A repeating byte pattern for large bodies, and its checksum, without holding the body. */
public final class Patterns {

    private static final byte[] BLOCK = new byte[64 * 1024];

    static {
        for (int i = 0; i < BLOCK.length; i++) {
            BLOCK[i] = (byte) (i * 31 + 7);
        }
    }

    private Patterns() {}

    public static void write(OutputStream out, long size) throws IOException {
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(left, BLOCK.length);
            out.write(BLOCK, 0, n);
            left -= n;
        }
        out.flush();
    }

    public static long crc(long size) {
        CRC32 crc = new CRC32();
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(left, BLOCK.length);
            crc.update(BLOCK, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    /** An input stream of {@code size} pattern bytes. */
    public static InputStream stream(long size) {
        return new InputStream() {
            long pos;

            @Override
            public int read() {
                return pos < size ? BLOCK[(int) (pos++ % BLOCK.length)] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int at = (int) (pos % BLOCK.length);
                int n = (int) Math.min(Math.min(len, BLOCK.length - at), size - pos);
                System.arraycopy(BLOCK, at, b, off, n);
                pos += n;
                return n;
            }
        };
    }
}
