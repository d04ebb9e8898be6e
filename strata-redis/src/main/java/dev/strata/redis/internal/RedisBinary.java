package dev.strata.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Invariant: a file <folder>/redis-server is either absent or the exact binary this build expects
 * (size and SHA-256 pinned below). It is copied from the classpath into a temporary sibling, checked,
 * made executable and renamed into place in one atomic move; a process that loses the race keeps the
 * winner's copy. Every start checks the file again (6 MB hash a few milliseconds), so a truncated or
 * replaced binary is refused with its path, never run.
 */
/** The statically linked redis-server of org.signal:embedded-redis, unpacked once per version. */
public final class RedisBinary {

    /** The redis-server version inside the artifact. */
    public static final String VERSION = "7.0.15";

    private static final Logger LOG = LoggerFactory.getLogger(RedisBinary.class);
    private static final String RESOURCE = "redis-server-" + VERSION + "-linux-amd64";
    private static final long SIZE = 6_103_320L;
    private static final String SHA256 = "c0cdeef856b3410fd99d6ec6fc6a20302e69059b00ce5d6abab7b3e5069ea91e";

    private RedisBinary() {}

    /** Refuses any platform but the one binary this build carries. */
    static void requireSupportedPlatform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new UnsupportedOperationException("the embedded Redis runs on linux-amd64 only (this is "
                    + osName + "/" + osArch + "); run a Redis 7 server yourself and point cluster.redis at it");
        }
    }

    /** The checked binary in {@code folder} (usually {@code redis-bin-<version>}), unpacked first if missing. */
    public static Path unpackInto(Path folder) {
        requireSupportedPlatform(System.getProperty("os.name"), System.getProperty("os.arch"));
        Path target = folder.resolve("redis-server");
        try {
            if (Files.exists(target)) {
                verify(target);
                return target;
            }
            Files.createDirectories(folder);
            Path temp = Files.createTempFile(folder, "redis-server.", ".tmp");
            try {
                try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(RESOURCE);
                     OutputStream out = Files.newOutputStream(temp)) {
                    if (in == null) {
                        throw new IllegalStateException(RESOURCE + " is not on the classpath (org.signal:embedded-redis)");
                    }
                    in.transferTo(out);
                }
                verify(temp);
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
                LOG.info("unpacked redis-server {} into {}", VERSION, target);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException lostRace) {
                    verify(target);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            verify(target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack redis-server into " + folder, e);
        }
    }

    private static void verify(Path file) throws IOException {
        long size = Files.size(file);
        if (size != SIZE) {
            throw new IllegalStateException(file + ": " + size + " bytes (expected: " + SIZE
                    + ", redis-server " + VERSION + "); delete it and start again");
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            String digest = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
            if (!digest.equals(SHA256)) {
                throw new IllegalStateException(file + ": SHA-256 " + digest + " (expected: " + SHA256
                        + ", redis-server " + VERSION + "); delete it and start again");
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
