package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Creates a {@link Postgres} data directory with initdb and the harness's server settings, unless one exists. */
final class PgDataDir {

    private static final Duration INITDB_TIMEOUT = Duration.ofSeconds(120);

    private PgDataDir() {
    }

    /** {@code durable=false} turns fsync off: fine for tests, whose data dies with them. */
    static void initIfNeeded(Postgres pg, Path baseDir, boolean durable) {
        Path dataDir = pg.dataDir();
        try {
            PgUser.mkdirsOpen(baseDir);
            PgUser.handOver(baseDir);
            if (Files.isRegularFile(dataDir.resolve("PG_VERSION"))) {
                return;
            }
            Dirs.deleteRecursively(dataDir);
            Path pwFile = baseDir.resolve("pwfile");
            Files.writeString(pwFile, pg.password() + "\n", StandardCharsets.UTF_8);
            PgUser.handOver(baseDir);
            List<String> initdb = new ArrayList<>(List.of(pg.binDir().resolve("initdb").toString(), "-D", dataDir.toString(),
                    "-U", pg.username(), "--pwfile=" + pwFile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C"));
            if (!durable) {
                initdb.add("--no-sync");
            }
            try {
                Processes.run(PgUser.asPgUser(initdb), baseDir.resolve("initdb.log"), INITDB_TIMEOUT);
            } finally {
                Files.deleteIfExists(pwFile);
            }
            StringBuilder conf = new StringBuilder("\n# kiku harness\n")
                    .append("listen_addresses = '127.0.0.1'\n")
                    // TCP only: socket paths under deep build directories exceed the 107-byte limit
                    .append("unix_socket_directories = ''\n")
                    .append("max_connections = 300\n")
                    .append("password_encryption = 'scram-sha-256'\n");
            if (!durable) {
                conf.append("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
            }
            Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
