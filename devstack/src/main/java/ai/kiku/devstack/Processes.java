package ai.kiku.devstack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Launches, finds (through pid files), signals and kills the server processes, and reads their logs for errors. */
final class Processes {

    private Processes() {
    }

    /** The last {@code lines} lines of a log, or a note on why there are none: for failure messages. */
    static String tail(Path file, int lines) {
        try {
            if (!Files.isReadable(file)) {
                return "(no " + file + ")";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** Runs a command to completion with output appended to {@code log}; fails with the log tail on a non-zero exit. */
    static void run(List<String> cmd, Path log, Duration timeout) {
        int exit = runForExit(cmd, log, timeout);
        if (exit != 0) {
            throw new IllegalStateException("command failed (exit " + exit + "): " + String.join(" ", cmd)
                    + "\n--- " + log + " ---\n" + tail(log, 40));
        }
    }

    static int runForExit(List<String> cmd, Path log, Duration timeout) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("LC_ALL", "C");
            pb.environment().remove("PGDATA");
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", cmd)
                        + "\n--- " + log + " ---\n" + tail(log, 40));
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a command whose output goes to {@code log} and that we do not wait for (e.g. a daemonizing server). */
    static Process launch(List<String> cmd, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<Long> readPid(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            return first.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(first));
        } catch (IOException | NumberFormatException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** The live process of a pid file, if its command line mentions {@code expected} (guards against pid reuse). */
    static Optional<ProcessHandle> liveProcess(Path pidFile, String expected) {
        return readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(ph -> commandLine(ph).contains(expected));
    }

    static String commandLine(ProcessHandle ph) {
        try {
            return Files.readString(Path.of("/proc/" + ph.pid() + "/cmdline")).replace('\0', ' ');
        } catch (IOException | UncheckedIOException e) {
            return ph.info().commandLine().orElse(ph.info().command().orElse(""));
        }
    }

    /** Terminates a process: SIGTERM, then SIGKILL after {@code grace}; returns when it is gone. */
    static void terminate(ProcessHandle ph, Duration grace, boolean force) {
        if (force) {
            ph.destroyForcibly();
        } else {
            ph.destroy();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (ph.isAlive() && System.nanoTime() < deadline) {
            Poll.sleep(20);
        }
        if (ph.isAlive()) {
            ph.destroyForcibly();
            long hard = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ph.isAlive() && System.nanoTime() < hard) {
                Poll.sleep(20);
            }
        }
    }

    /** Sends a signal that {@link ProcessHandle} cannot (it has only TERM and KILL), e.g. INT. */
    static void signal(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
