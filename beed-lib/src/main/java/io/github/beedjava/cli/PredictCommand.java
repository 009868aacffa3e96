package io.github.beedjava.cli;

import io.github.beedjava.data.BatchLoader;
import io.github.beedjava.data.Datasets;
import io.github.beedjava.data.ImageDataset;
import io.github.beedjava.model.ArchitectureSummary;
import io.github.beedjava.eval.BudgetedExit;
import io.github.beedjava.eval.EarlyExitPredictor;
import io.github.beedjava.eval.ExitScores;
import io.github.beedjava.train.TrainedRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code beed predict}: real early-exit inference of a trained run on its test split. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Early-exit inference of a finished run on its test split: thresholds fitted on held-out training images",
      "for the exit profile q, then every batch computes later parts of the network only for images still running.",
      "--bench also times the same batches through every classifier, interleaved (after one untimed pass of each),",
      "and prints the speed-up, the speed-up the counted MFLOPs predict, and the one predicted by each segment's",
      "measured time with the whole batch running it (early layers run at a lower FLOP rate than deep ones)."
    })
final class PredictCommand implements Callable<Integer> {
  /** Alternating rounds of streamed early exit and full passes that --bench times. */
  private static final int STREAM_ROUNDS = 3;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A finished run directory (with its checkpoint.bin, or the weights.npz of committed runs).") Path run;
  @Option(names = "--q", defaultValue = "0.5", description = "Exit profile q (fractions leaving at exit k ∝ q^k; default ${DEFAULT-VALUE}).") double q;
  @Option(names = "--held-out", defaultValue = "2000", description = "Held-out training images for the thresholds (default ${DEFAULT-VALUE}).") int heldOut;
  @Option(names = {"--batch", "--batch-size"}, defaultValue = "256", description = "Inference batch size (default ${DEFAULT-VALUE}).") int batch;
  @Option(names = "--bench", description = "Also time every classifier on the same batches and print the speed-up.") boolean bench;
  @Option(names = "--data-dir", paramLabel = "DIR", description = "Dataset folder (default: see data/README.md).") Path dataDir;

  @Override
  public Integer call() throws IOException {
    TrainedRun trained = TrainedRun.load(run, dataDir);
    ImageDataset fit = Datasets.heldOut(trained.config().dataset(), dataDir, trained.config().trainSubset(), heldOut);
    ExitScores scores = ExitScores.compute(trained.network(), fit, batch);
    double[] thresholds = BudgetedExit.fitThresholds(scores, BudgetedExit.profile(scores.classifiers(), q));
    EarlyExitPredictor predictor = new EarlyExitPredictor(trained.network(), thresholds);
    ImageDataset test = trained.data().test();
    List<BatchLoader.Batch> batches = new ArrayList<>();
    for (int from = 0; from < test.size(); from += batch) {
      batches.add(BatchLoader.load(test, null, from, Math.min(batch, test.size() - from), null, DataType.FLOAT));
    }
    int k = trained.network().numClassifiers();
    long[] exits = new long[k];
    long correctEarly = 0;
    long correctMain = 0;
    // Warm-up: with --bench one untimed pass over every batch each, so that both sides are timed with
    // their oneDNN primitives built for every batch size they meet (early exit meets several).
    for (BatchLoader.Batch b : bench ? batches : batches.subList(0, 1)) {
      predictor.predict(b.input());
      trained.network().logits(b.input()).release();
    }
    int n = test.size();
    double early = 0;
    double full = 0;
    int[] perBatchClass = new int[test.size()];
    int[] perBatchExit = new int[test.size()];
    int seen = 0;
    for (BatchLoader.Batch b : batches) {
      long t0 = System.nanoTime();
      EarlyExitPredictor.Prediction p = predictor.predict(b.input());
      early += (System.nanoTime() - t0) / 1e9;
      System.arraycopy(p.classes(), 0, perBatchClass, seen, b.size());
      System.arraycopy(p.exitAt(), 0, perBatchExit, seen, b.size());
      seen += b.size();
      for (int i = 0; i < b.size(); i++) {
        exits[p.exitAt()[i]]++;
        correctEarly += p.classes()[i] == b.labels()[i] ? 1 : 0;
      }
      if (bench) {
        long t1 = System.nanoTime();
        var out = trained.network().logits(b.input());
        full += (System.nanoTime() - t1) / 1e9;
        long[] main = out.logits()[k - 1].argMax(1).toLongVector();
        for (int i = 0; i < b.size(); i++) {
          correctMain += main[i] == b.labels()[i] ? 1 : 0;
        }
      }
    }
    double streamed = 0;
    double fullAgain = 0;
    long streamDisagrees = 0;
    if (bench) {
      // The throughput form (continuing images regrouped into full batches), warmed up once, then
      // timed against full passes over the same images in alternating rounds (the VM's speed drifts).
      List<INDArray> inputs = batches.stream().map(BatchLoader.Batch::input).toList();
      EarlyExitPredictor.Prediction s = predictor.predictStream(inputs);
      for (int round = 0; round < STREAM_ROUNDS; round++) {
        long t0 = System.nanoTime();
        predictor.predictStream(inputs);
        streamed += (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        for (INDArray x : inputs) {
          trained.network().logits(x).release();
        }
        fullAgain += (System.nanoTime() - t1) / 1e9;
      }
      for (int i = 0; i < n; i++) {
        streamDisagrees += s.classes()[i] == perBatchClass[i] && s.exitAt()[i] == perBatchExit[i] ? 0 : 1;
      }
    }
    double[] segment = new double[k];
    if (bench) {
      // Each segment's time with the whole batch running it: what the parts of the network really cost here.
      for (BatchLoader.Batch b : batches) {
        double[] s = predictor.segmentSeconds(b.input());
        for (int c = 0; c < k; c++) {
          segment[c] += s[c];
        }
      }
    }
    StringBuilder fractions = new StringBuilder();
    for (int c = 0; c < k; c++) {
      fractions.append(String.format(Locale.ROOT, "%s%.2f", c == 0 ? "" : " / ", (double) exits[c] / n));
    }
    System.out.printf(Locale.ROOT, "run %s, q %s, thresholds fitted on %d held-out training images%n", run.getFileName(), q, fit.size());
    System.out.printf(Locale.ROOT, "early exit: accuracy %.2f %%, fraction leaving at each classifier %s%n", 100.0 * correctEarly / n, fractions);
    if (bench) {
      System.out.printf(Locale.ROOT, "all classifiers: main-network accuracy %.2f %%%n", 100.0 * correctMain / n);
      // What the counted MFLOPs promise: every classifier's cost over the images' average cost.
      double[] cost = new ArchitectureSummary(trained.network().blueprint()).earlyExitMflops();
      double average = 0;
      for (int c = 0; c < k; c++) {
        average += cost[c] * exits[c] / n;
      }
      double predicted = cost[k - 1] / average;
      System.out.printf(Locale.ROOT, "counted: %.2f MFLOPs per image on average vs %.2f for all classifiers (speed-up %.2f x)%n",
          average, cost[k - 1], predicted);
      System.out.printf(Locale.ROOT, "predict: early exit %.1f img/s vs all classifiers %.1f img/s (speed-up %.2f x, %.0f %% of the "
          + "%.2f x its MFLOPs predict) at q %s, batch %d, %d test images%n",
          n / early, n / full, full / early, 100 * (full / early) / predicted, predicted, q, batch, n);
      double[] upTo = new double[k];  // seconds per image for an image leaving at each classifier
      double timed = 0;
      for (int c = 0; c < k; c++) {
        upTo[c] = (c == 0 ? 0 : upTo[c - 1]) + segment[c] / n;
        timed += upTo[c] * exits[c] / n;
      }
      StringBuilder parts = new StringBuilder();
      for (int c = 0; c < k; c++) {
        parts.append(String.format(Locale.ROOT, "%s%.0f", c == 0 ? "" : " / ", 100 * segment[c] / (upTo[k - 1] * n)));
      }
      System.out.printf(Locale.ROOT, "timed segments: %s %% of a full pass's time up to each classifier in turn (MFLOPs: %s %%); "
          + "they predict %.2f x, early exit reaches %.0f %% of that; staged with no image leaving: %.1f img/s%n",
          parts, mflopShares(cost), upTo[k - 1] / timed, 100 * (full / early) / (upTo[k - 1] / timed), 1 / upTo[k - 1]);
      System.out.printf(Locale.ROOT, "streamed (continuing images regrouped into batches of %d): early exit %.1f img/s vs "
          + "all classifiers %.1f img/s over %d alternating rounds (speed-up %.2f x, %.0f %% of the counted and %.0f %% of "
          + "the timed prediction); %d images predicted differently than batch by batch%n", batch,
          STREAM_ROUNDS * n / streamed, STREAM_ROUNDS * n / fullAgain, STREAM_ROUNDS, fullAgain / streamed,
          100 * (fullAgain / streamed) / predicted, 100 * (fullAgain / streamed) / (upTo[k - 1] / timed), streamDisagrees);
    } else {
      System.out.printf(Locale.ROOT, "predict: early exit %.1f img/s, accuracy %.2f %% on %d test images%n", n / early, 100.0 * correctEarly / n, n);
    }
    return 0;
  }

  /** Each segment's share of the counted MFLOPs, from the cumulative cost up to each classifier. */
  private static String mflopShares(double[] cumulative) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < cumulative.length; c++) {
      double part = cumulative[c] - (c == 0 ? 0 : cumulative[c - 1]);
      sb.append(String.format(Locale.ROOT, "%s%.0f", c == 0 ? "" : " / ", 100 * part / cumulative[cumulative.length - 1]));
    }
    return sb.toString();
  }
}
