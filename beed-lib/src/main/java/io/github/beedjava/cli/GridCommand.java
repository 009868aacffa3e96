package io.github.beedjava.cli;

import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.runtime.AtomicFiles;
import io.github.beedjava.runtime.BuildInfo;
import io.github.beedjava.train.RunOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code beed grid TARGET --emit DIR}: the runs of a paper experiment as a Slurm job array (and a
 * Kubernetes Indexed Job manifest), one config file per run.
 */
@Command(
    name = "grid",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Write the runs of an experiment as a Slurm job array: DIR/configs/NNNN.json (one run each), DIR/runs.tsv,",
      "DIR/grid.sbatch (array task i trains configs/i.json; requeue-safe: a preempted task resumes from its checkpoint)",
      "and DIR/k8s-indexed-job.yaml (the same configs as a Kubernetes Indexed Job; not tested here).",
      "Then: sbatch DIR/grid.sbatch, and when it is done: beed reproduce TARGET ... --collect --results RESULTS."
    })
final class GridCommand implements Callable<Integer> {
  @Mixin ExperimentOptions grid;
  @Option(names = "--emit", required = true, paramLabel = "DIR", description = "Folder to write the job files into (created).") Path emit;
  @Option(names = "--results", paramLabel = "DIR",
      description = "Results folder the tasks write runs/ into; must be on storage every node sees (default: this repository's results/).")
  Path results;
  @Option(names = "--cpus", defaultValue = "2", description = "CPUs per task (default ${DEFAULT-VALUE}).") int cpus;
  @Option(names = "--mem", defaultValue = "8G", description = "Memory per task (default ${DEFAULT-VALUE}).") String mem;
  @Option(names = "--time", defaultValue = "12:00:00", description = "Time limit per task (default ${DEFAULT-VALUE}).") String time;
  @Option(names = "--partition", description = "Slurm partition (default: the cluster's default).") String partition;
  @Option(names = "--checkpoint-every", defaultValue = "50", paramLabel = "N",
      description = "Checkpoint every N iterations as well as every epoch, so preemption loses little (default ${DEFAULT-VALUE}).")
  int checkpointEvery;
  @Option(names = "--launcher", paramLabel = "COMMAND",
      description = "Command that runs this package's CLI on a node (default: this repository's ./beed).")
  String launcher;

  @Override
  public Integer call() throws IOException {
    List<TrainingConfig> configs = grid.configs();
    Path dir = emit.toAbsolutePath().normalize();
    Path root = (results != null ? results : RunOptions.resultsRoot()).toAbsolutePath().normalize();
    String command = launcher != null ? launcher : shellQuote(BuildInfo.home().resolve("beed").toString());
    Files.createDirectories(dir.resolve("configs"));
    Files.createDirectories(dir.resolve("logs"));
    StringBuilder index = new StringBuilder("index\trun\tmodel\texits\tmethod\tseed\n");
    for (int i = 0; i < configs.size(); i++) {
      TrainingConfig c = configs.get(i);
      AtomicFiles.writeString(dir.resolve("configs").resolve(name(i)), c.toJson() + "\n");
      index.append(String.format(Locale.ROOT, "%d\t%s\t%s\t%s\t%s\t%d%n", i, c.runId(), c.model(), c.exits().cliName(),
          c.method().name().toLowerCase(Locale.ROOT), c.seed()));
    }
    AtomicFiles.writeString(dir.resolve("runs.tsv"), index.toString());
    Path sbatch = dir.resolve("grid.sbatch");
    AtomicFiles.writeString(sbatch, sbatch(configs.size(), dir, root, command));
    sbatch.toFile().setExecutable(true);
    AtomicFiles.writeString(dir.resolve("k8s-indexed-job.yaml"), kubernetes(configs.size(), root));

    String collect = String.join(" ", "./beed reproduce", grid.target, "--model", String.join(",", grid.models),
        "--profile", grid.profile, "--seeds", Integer.toString(grid.seeds), grid.epochs == null ? "" : "--epochs " + grid.epochs,
        "--collect --results", shellQuote(root.toString())).replaceAll(" +", " ");
    System.out.printf(Locale.ROOT, "grid %s: %d runs -> %s%n", grid.target, configs.size(), dir);
    System.out.println("  submit:  sbatch " + shellQuote(sbatch.toString()));
    System.out.println("  watch:   squeue --me   (logs in " + dir.resolve("logs") + ")");
    System.out.println("  collect: " + collect);
    return 0;
  }

  private static String name(int i) {
    return String.format(Locale.ROOT, "%04d.json", i);
  }

  private String sbatch(int n, Path dir, Path root, String command) {
    List<String> lines = java.util.Arrays.asList(
        "#!/usr/bin/env bash",
        "#SBATCH --job-name=beed-" + grid.target + "-" + grid.profile,
        "#SBATCH --array=0-" + (n - 1),
        "#SBATCH --cpus-per-task=" + cpus,
        "#SBATCH --mem=" + mem,
        "#SBATCH --time=" + time,
        "#SBATCH --requeue",
        "#SBATCH --open-mode=append",
        "#SBATCH --output=" + dir.resolve("logs") + "/%A_%a.out",
        partition == null ? null : "#SBATCH --partition=" + partition,
        "# Written by: beed grid " + grid.target + " (" + n + " runs). Array task i trains configs/<i>.json into",
        "# " + root + "/runs/<run id>. A finished run is reused; a preempted or requeued task resumes from its",
        "# last checkpoint (each epoch and every " + checkpointEvery + " iterations); the run lock keeps two tasks out of one run.",
        "set -euo pipefail",
        "config=\"" + dir.resolve("configs") + "/$(printf %04d \"$SLURM_ARRAY_TASK_ID\").json\"",
        "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-" + cpus + "}\"",
        "export BEED_RESULTS_DIR=" + shellQuote(root.toString()),
        "exec " + command + " train --config \"$config\" --checkpoint-every " + checkpointEvery + " -q",
        "");
    return String.join("\n", lines.stream().filter(l -> l != null).toList());
  }

  private String kubernetes(int n, Path root) {
    return String.join("\n",
        "# The same runs as a Kubernetes Indexed Job (documented, not tested here). Build an image holding this",
        "# repository (built: mvn -DskipTests package) and a JDK 17, mount the grid folder at /grid and a shared",
        "# volume for results at /results, then: kubectl apply -f k8s-indexed-job.yaml",
        "apiVersion: batch/v1",
        "kind: Job",
        "metadata:",
        "  name: beed-" + grid.target + "-" + grid.profile,
        "spec:",
        "  completionMode: Indexed",
        "  completions: " + n,
        "  parallelism: " + Math.min(n, 8),
        "  backoffLimitPerIndex: 3",
        "  template:",
        "    spec:",
        "      restartPolicy: Never",
        "      containers:",
        "        - name: train",
        "          image: beed-java:latest",
        "          command: [\"bash\", \"-c\"]",
        "          args: [\"exec /beed/beed train --config /grid/configs/$(printf %04d $JOB_COMPLETION_INDEX).json --checkpoint-every "
            + checkpointEvery + " -q\"]",
        "          env:",
        "            - {name: BEED_RESULTS_DIR, value: /results}",
        "            - {name: OMP_NUM_THREADS, value: \"" + cpus + "\"}",
        "          resources:",
        "            requests: {cpu: \"" + cpus + "\", memory: " + mem.replace("G", "Gi") + "}",
        "          volumeMounts:",
        "            - {name: grid, mountPath: /grid}",
        "            - {name: results, mountPath: /results}",
        "      volumes:",
        "        - {name: grid, persistentVolumeClaim: {claimName: beed-grid}}",
        "        - {name: results, persistentVolumeClaim: {claimName: beed-results}}",
        "# " + root + " on the submitting machine corresponds to the beed-results volume.",
        "");
  }

  /** Single-quotes a word for bash. */
  static String shellQuote(String s) {
    return s.matches("[A-Za-z0-9_./:=+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
