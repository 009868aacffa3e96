package io.github.beedjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The laptop-to-cluster path end to end: {@code beed grid} writes a smoke Table 2 as a Slurm job
 * array, a one-node Slurm cluster on localhost (Debian's slurm-wlm and munge, started by
 * tools/slurm/local-cluster.sh) runs it, and {@code beed reproduce --collect} builds the table from
 * the run directories the array wrote. Needs root and the packages environment/setup.sh installs.
 */
class SlurmGridTest {

  @Test
  void aSmokeGridRunsOnALocalSlurmClusterAndIsCollected(@TempDir Path dir) throws Exception {
    Path repo = Path.of(System.getProperty("beed.repository", "..")).toAbsolutePath().normalize();
    Path grid = dir.resolve("grid");
    Path results = dir.resolve("results");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String launcher = java + " " + System.getProperty("beed.jvm.flags", "").trim() + " -cp '" + System.getProperty("java.class.path")
        + "' " + BeedCli.class.getName();
    CliRunner.Result emitted = CliRunner.run("grid", "table2", "--profile", "smoke", "--epochs", "1", "--emit", grid.toString(),
        "--results", results.toString(), "--cpus", "1", "--mem", "2G", "--time", "00:20:00", "--launcher", launcher);
    assertEquals(0, emitted.code(), emitted.out() + emitted.err());
    assertTrue(emitted.out().contains("grid table2: 5 runs") && emitted.out().contains("sbatch "), emitted.out());
    assertEquals(6, Files.readAllLines(grid.resolve("runs.tsv")).size());

    Path cluster = dir.resolve("slurm");
    String script = repo.resolve("tools/slurm/local-cluster.sh").toString();
    run(List.of("bash", script, "start", cluster.toString()), null, 120);
    try {
      String conf = cluster.resolve("slurm.conf").toString();
      run(List.of("sbatch", "--wait", grid.resolve("grid.sbatch").toString()), conf, 1200);
    } finally {
      run(List.of("bash", script, "stop", cluster.toString()), null, 60);
    }

    CliRunner.Result collected = CliRunner.run("reproduce", "table2", "--profile", "smoke", "--epochs", "1", "--collect",
        "--results", results.toString());
    assertEquals(0, collected.code(), collected.out() + collected.err());
    List<String> runs = Files.readAllLines(results.resolve("table2/smoke/runs.csv"));
    assertEquals(6, runs.size(), String.join("\n", runs));
    for (String method : List.of("Baseline", "CE", "KD", "EED", "BEED")) {
      assertTrue(runs.stream().anyMatch(l -> l.startsWith(method + ",")), method + " missing from " + runs);
    }
    assertTrue(Files.readString(results.resolve("table2/smoke/table.csv")).contains("BEED"));
  }

  /** Runs a command (with SLURM_CONF when given); fails with its output unless it exits 0 in time. */
  private static void run(List<String> command, String slurmConf, long seconds) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    if (slurmConf != null) {
      pb.environment().put("SLURM_CONF", slurmConf);
    }
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), command + " did not finish in " + seconds + " s");
    assertEquals(0, p.exitValue(), command + " failed:\n" + new String(out, java.nio.charset.StandardCharsets.UTF_8));
  }
}
