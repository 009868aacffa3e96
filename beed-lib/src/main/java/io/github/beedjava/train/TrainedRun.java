package io.github.beedjava.train;

import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.data.DataSplits;
import io.github.beedjava.data.Datasets;
import io.github.beedjava.network.MultiExitNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A finished run's network, rebuilt from its config and its final weights: the last checkpoint
 * where the run was trained, else {@code weights.npz} (which committed results carry).
 *
 * @param config the run's config
 * @param network the trained network
 * @param data the splits it was trained and tested on
 */
public record TrainedRun(TrainingConfig config, MultiExitNetwork network, DataSplits data) {

  /**
   * Loads a run directory.
   *
   * @param dataDir dataset folder, or null for the default
   * @throws IOException naming the file when the run is unfinished, has no weights, or they were altered
   */
  public static TrainedRun load(Path runDir, Path dataDir) throws IOException {
    Path summaryFile = runDir.resolve(RunSummary.FILE);
    if (!Files.exists(summaryFile)) {
      throw new IOException(runDir + ": not a finished run (no summary.json); train it first");
    }
    RunSummary summary = RunSummary.read(summaryFile);
    Path checkpointFile = runDir.resolve(Checkpoint.FILE);
    TrainingConfig c = summary.config();
    Checkpoint checkpoint = null;
    if (Files.exists(checkpointFile)) {
      checkpoint = Checkpoint.read(checkpointFile);
      if (checkpoint.epoch() != c.epochs()) {
        throw new IOException(checkpointFile + ": holds epoch " + checkpoint.epoch() + " of " + c.epochs() + ", not the final weights");
      }
    } else if (!Files.exists(runDir.resolve(RunWeights.FILE))) {
      throw new IOException(runDir + ": has neither " + Checkpoint.FILE + " nor " + RunWeights.FILE
          + " (runs finished before weights.npz existed keep their weights only where they were trained); "
          + "rerun it with --force to get them");
    }
    DataSplits data = Datasets.load(c.dataset(), dataDir, c.trainSubset(), c.testSubset(), c.data().imageSize());
    MultiExitNetwork net = MultiExitNetwork.create(c.modelConfig(data.numClasses(), data.train().channels(), data.train().imageSize()));
    if (checkpoint == null) {
      RunWeights.load(runDir, net, summary);
      return new TrainedRun(c, net, data);
    }
    net.graph().params().assign(checkpoint.params().reshape(net.graph().params().shape()));
    if (!Checkpoint.sha256Of(net.graph().params()).equals(summary.paramsSha256())) {
      throw new IOException(checkpointFile + ": its weights do not match summary.json's paramsSha256; rerun with --force");
    }
    return new TrainedRun(c, net, data);
  }
}
