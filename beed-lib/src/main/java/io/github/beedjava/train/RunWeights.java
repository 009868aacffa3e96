package io.github.beedjava.train;

import io.github.beedjava.data.FileDigest;
import io.github.beedjava.interop.NpzArchive;
import io.github.beedjava.interop.NpzWriter;
import io.github.beedjava.interop.StateDict;
import io.github.beedjava.network.MultiExitNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A finished run's final weights as {@code weights.npz}: a PyTorch-style {@code state_dict} by
 * PyTorch names (BN running statistics included), small enough to travel with the results where
 * checkpoints do not. Reading checks the loaded weights against the run's {@code paramsSha256}.
 */
public final class RunWeights {
  /** The file inside a run directory. */
  public static final String FILE = "weights.npz";

  private RunWeights() {}

  /** Writes the network's weights into a run directory (atomically) and returns the file's SHA-256. */
  public static String write(Path runDir, MultiExitNetwork net) throws IOException {
    NpzWriter npz = new NpzWriter();
    StateDict.putAll(net, npz, "");
    Path file = runDir.resolve(FILE);
    npz.write(file);
    return FileDigest.hex(file, "SHA-256");
  }

  /**
   * Loads a run's {@code weights.npz} into a network built from the run's config.
   *
   * @param summary the run's summary: the file must hash to its {@code weightsSha256} (when it
   *     records one) and the loaded weights to its {@code paramsSha256}
   * @throws IOException naming the file when it is missing, unreadable, does not fit, or was altered
   */
  public static void load(Path runDir, MultiExitNetwork net, RunSummary summary) throws IOException {
    Path file = runDir.resolve(FILE);
    if (!Files.exists(file)) {
      throw new IOException(file + ": missing; train the run again with --force to write it");
    }
    if (summary.weightsSha256() != null && !FileDigest.hex(file, "SHA-256").equals(summary.weightsSha256())) {
      throw new IOException(file + ": its SHA-256 differs from summary.json's weightsSha256 (altered or from another run); "
          + "restore it (git checkout) or train the run again with --force");
    }
    String paramsSha256 = summary.paramsSha256();
    NpzArchive npz = NpzArchive.read(file);
    try {
      StateDict.load(net, name -> npz.has(name) ? npz.get(name) : null, file.toString());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (!Checkpoint.sha256Of(net.graph().params()).equals(paramsSha256)) {
      throw new IOException(file + ": its weights do not match summary.json's paramsSha256 (altered or from another run); "
          + "train the run again with --force");
    }
  }
}
