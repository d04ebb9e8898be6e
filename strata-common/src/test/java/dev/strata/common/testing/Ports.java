package dev.strata.common.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that a test starts and that bind later. They are picked outside the range the
 * kernel assigns to outgoing connections ({@code ip_local_port_range}): a port free when picked could
 * otherwise be taken by one of the many connections a node opens before it binds (a warm-up, pools).
 */
public final class Ports {

    private Ports() {}

    /** A port free now. */
    public static int free() throws IOException {
        return free(0);
    }

    /** A port free now, with {@code roomAbove} ports above it also outside the kernel's range. */
    public static int free(int roomAbove) throws IOException {
        int[] range = unassigned(roomAbove);
        for (int i = 0; range[1] - range[0] > 100 && i < 1000; i++) {
            int p = range[0] + ThreadLocalRandom.current().nextInt(range[1] - range[0]);
            if (allFree(p, 1)) {
                return p;
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Whether ports {@code base} to {@code base + n - 1} are all free now. */
    public static boolean allFree(int base, int n) {
        for (int p = base; p < base + n; p++) {
            try {
                new ServerSocket(p).close();
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** [low, high) outside {@code ip_local_port_range} (Linux's default is 32768-60999). */
    private static int[] unassigned(int roomAbove) {
        int low = 32768;
        int high = 60999;
        try {
            String[] r = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            low = Integer.parseInt(r[0]);
            high = Integer.parseInt(r[1]);
        } catch (IOException | RuntimeException e) {
            // not Linux: keep the default
        }
        return low > 11_000 ? new int[] {10_000, low - roomAbove} : new int[] {high + 1, 65_536 - roomAbove};
    }
}
