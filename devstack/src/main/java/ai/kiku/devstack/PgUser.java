package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** PostgreSQL refuses to run as root: as root we run it as nobody:nogroup, in directories nobody can reach. */
final class PgUser {

    static final int PG_UID = 65534;
    static final int PG_GID = 65534;

    private PgUser() {
    }

    /** Prefixes a command so that it runs as nobody when we are root. */
    static List<String> asPgUser(List<String> cmd) {
        if (!Infra.isRoot()) {
            return cmd;
        }
        List<String> out = new ArrayList<>();
        Optional<Path> setpriv = Binaries.onPath("setpriv");
        Optional<Path> runuser = Binaries.onPath("runuser");
        if (setpriv.isPresent()) {
            out.addAll(List.of(setpriv.get().toString(), "--reuid=" + PG_UID, "--regid=" + PG_GID, "--clear-groups", "--"));
        } else if (runuser.isPresent()) {
            out.addAll(List.of(runuser.get().toString(), "-u", "nobody", "--"));
        } else {
            throw new IllegalStateException("running as root and neither setpriv nor runuser is available to drop "
                    + "privileges for PostgreSQL; run as a normal user");
        }
        out.addAll(cmd);
        return out;
    }

    /** Gives {@code dir} to nobody when we are root (a no-op otherwise). */
    static void handOver(Path dir) {
        if (Infra.isRoot()) {
            chownRecursive(dir, PG_UID, PG_GID);
        }
    }

    static void chownRecursive(Path root, int uid, int gid) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As root, PostgreSQL runs as nobody, who must be able to reach its directory; if some ancestor of {@code dir}
     * is closed to others (e.g. a clone under /root), use a directory in the temp dir instead.
     */
    static Path reachableByPgUser(Path dir) {
        if (!Infra.isRoot() || traversableByOthers(dir)) {
            return dir;
        }
        String tmp = System.getProperty("java.io.tmpdir", "/tmp");
        Path alt = Path.of(tmp, "kiku-pg-" + shortHash(dir.toAbsolutePath().toString()));
        mkdirsOpen(alt);
        return alt;
    }

    /** Creates a directory and its missing parents as rwxr-xr-x whatever the umask, so that nobody can reach it. */
    static void mkdirsOpen(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        List<Path> missing = new ArrayList<>();
        for (Path cur = abs; cur != null && !Files.exists(cur); cur = cur.getParent()) {
            missing.add(0, cur);
        }
        try {
            for (Path p : missing) {
                try {
                    Files.createDirectory(p);
                } catch (FileAlreadyExistsException e) {
                    continue;
                }
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether an unprivileged user (neither owner nor group) can reach {@code p}: every ancestor needs o+x. */
    static boolean traversableByOthers(Path p) {
        Path cur = p.toAbsolutePath();
        while (cur != null) {
            if (Files.exists(cur)) {
                try {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(cur);
                    if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                        return false;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            }
            cur = cur.getParent();
        }
        return true;
    }

    /** Makes a tree readable (directories also searchable) by others, e.g. extracted binaries for nobody to run. */
    static void openToOthers(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                    perms.add(PosixFilePermission.OTHERS_READ);
                    if (Files.isDirectory(p)) {
                        perms.add(PosixFilePermission.OTHERS_EXECUTE);
                    }
                    Files.setPosixFilePermissions(p, perms);
                }
            }
        }
    }

    static String shortHash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
