package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** Stops the servers that earlier runs left behind (a killed surefire fork never runs its shutdown hook). */
final class Leftovers {

    private Leftovers() {
    }

    /**
     * Kills the servers of earlier JVMs that died without their shutdown hook, found through the pid files under
     * {@code root/<jvm-pid>/}, and deletes their directories. Runs once per root and JVM.
     */
    static void cleanupStale(Path root) {
        synchronized (Infra.LOCK) {
            String flag = "kiku.infra.cleaned." + root.toAbsolutePath();
            if (System.getProperty(flag) != null || !Files.isDirectory(root)) {
                return;
            }
            System.setProperty(flag, "true");
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (!name.matches("\\d+") || Long.parseLong(name) == Infra.jvmPid()) {
                    continue;
                }
                boolean ownerAlive = ProcessHandle.of(Long.parseLong(name))
                        .filter(ProcessHandle::isAlive).filter(ph -> Processes.commandLine(ph).contains("java")).isPresent();
                if (ownerAlive) {
                    continue;
                }
                killServersUnder(dir);
                Dirs.deleteRecursively(dir);
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover we cannot remove only costs disk space
        }
    }

    /** Stops every redis-server / pgbouncer / postgres whose pid file lies under {@code dir}. */
    static void killServersUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.equals("redis.pid")) {
                    Processes.liveProcess(f, "redis-server").ifPresent(ph -> Processes.terminate(ph, Duration.ofSeconds(5), false));
                } else if (n.equals("pgbouncer.pid")) {
                    Processes.liveProcess(f, "pgbouncer").ifPresent(ph -> Processes.terminate(ph, Duration.ofSeconds(5), false));
                } else if (n.equals("postmaster.pid")) {
                    // SIGINT is PostgreSQL's fast shutdown; ProcessHandle only sends TERM (smart) or KILL
                    Processes.liveProcess(f, "postgres").ifPresent(ph -> {
                        Processes.signal(ph.pid(), "INT");
                        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                        while (ph.isAlive() && System.nanoTime() < deadline) {
                            Poll.sleep(50);
                        }
                        Processes.terminate(ph, Duration.ofSeconds(1), true);
                    });
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
