package ai.kiku.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Shutdown hook that stops the servers of a JVM-wide instance when the JVM exits, even after a failed test. */
final class Reaper extends Thread {
    private final List<Path> redisPidFiles;
    private final List<List<String>> commands;

    Reaper(List<Path> redisPidFiles, List<List<String>> commands) {
        super("kiku-infra-reaper");
        this.redisPidFiles = List.copyOf(redisPidFiles);
        this.commands = List.copyOf(commands);
    }

    /** Uses only JDK classes: the class loader that created this hook (a Quarkus application's) may be closed by now. */
    @Override
    public void run() {
        List<ProcessHandle> stopping = new ArrayList<>();
        for (Path pidFile : redisPidFiles) {
            try {
                String pid = Files.readString(pidFile).trim();
                Optional<ProcessHandle> ph = ProcessHandle.of(Long.parseLong(pid));
                // the node may have stopped long ago and its pid been reused
                String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
                if (ph.isPresent() && ph.get().isAlive() && cmdline.contains("redis-server")) {
                    ph.get().destroy();
                    stopping.add(ph.get());
                }
            } catch (Exception e) {
                // already gone
            }
        }
        for (List<String> cmd : commands) {
            try {
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort at JVM exit
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle ph : stopping) {
            while (ph.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (ph.isAlive()) {
                ph.destroyForcibly();
            }
        }
    }
}
