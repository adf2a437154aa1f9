package ai.kiku.billing;

import ai.kiku.devstack.Postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * pg_dump and pg_restore of the harness' PostgreSQL, from the bin directory the harness runs its server from
 * ({@link Postgres#binDir()}: an installed PostgreSQL, e.g. /usr/lib/postgresql/15/bin, found first), as an
 * operator would run them from outside the server.
 */
final class PgDumpTool {

    private final Postgres pg;

    PgDumpTool(Postgres pg) {
        this.pg = pg;
    }

    /** {@code pg_dump -Fc} of one database into {@code file}. */
    void dump(String database, Path file) {
        run(List.of(tool("pg_dump").toString(), "-Fc", "--no-owner", "-h", pg.host(), "-p", Integer.toString(pg.port()),
                "-U", pg.username(), "-d", database, "-f", file.toString()));
    }

    /** {@code pg_restore} of a custom-format dump into an existing, empty database, in one transaction. */
    void restore(Path file, String database) {
        run(List.of(tool("pg_restore").toString(), "--single-transaction", "--exit-on-error", "--no-owner",
                "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.username(), "-d", database, file.toString()));
    }

    private Path tool(String name) {
        Path tool = pg.binDir().resolve(name);
        if (!Files.isExecutable(tool)) {
            throw new AssertionError(name + " is not in the harness' PostgreSQL bin directory " + pg.binDir()
                    + " (the drill needs an installed PostgreSQL's client tools, e.g. /usr/lib/postgresql/15/bin)");
        }
        return tool;
    }

    private void run(List<String> command) {
        try {
            Path log = Files.createTempFile("kiku-pg-tool", ".log");
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("PGPASSWORD", pg.password());
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command.get(0) + " did not finish in 120 s");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + output);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
