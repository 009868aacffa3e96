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
import java.util.Arrays;
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
      "for the exit profile q, then later parts of the network compute only for images still running; the images",
      "that continue past a classifier are regrouped into full batches before the next part runs.",
      "--bench times that against every classifier on the same images, run the faster of two ways (one pass of the",
      "graph, and the same staged executor with no image leaving; median of alternating rounds), and also early exit",
      "batch by batch (each batch on its own, as a latency-bound caller would run it);",
      "it prints the speed-up the counted MFLOPs predict and the one predicted by each segment's measured time",
      "with the whole batch running it (early layers run at a lower FLOP rate than deep ones)."
    })
final class PredictCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A finished run directory (with its checkpoint.bin, or the weights.npz of committed runs).") Path run;
  @Option(names = "--q", defaultValue = "0.5", description = "Exit profile q (fractions leaving at exit k ∝ q^k; default ${DEFAULT-VALUE}).") double q;
  @Option(names = "--held-out", defaultValue = "2000", description = "Held-out training images for the thresholds (default ${DEFAULT-VALUE}).") int heldOut;
  @Option(names = {"--batch", "--batch-size"}, defaultValue = "256", description = "Inference batch size (default ${DEFAULT-VALUE}).") int batch;
  @Option(names = "--bench", description = "Also time every classifier on the same batches and print the speed-up.") boolean bench;
  @Option(names = "--rounds", defaultValue = "5", description = "With --bench: alternating rounds of streamed early exit and both full ways, whose median ratio is printed (default ${DEFAULT-VALUE}; more rounds, a steadier median on a noisy machine).") int rounds;
  @Option(names = "--data-dir", paramLabel = "DIR", description = "Dataset folder (default: see data/README.md).") Path dataDir;

  @Override
  public Integer call() throws IOException {
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds: need at least 1 round, got " + rounds);
    }
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
    List<INDArray> inputs = batches.stream().map(BatchLoader.Batch::input).toList();
    int n = test.size();
    int k = trained.network().numClassifiers();
    predictor.predictStream(inputs.subList(0, 1));  // warm-up: oneDNN primitives, the workspace
    long t0 = System.nanoTime();
    EarlyExitPredictor.Prediction streamed = predictor.predictStream(inputs);
    double seconds = (System.nanoTime() - t0) / 1e9;
    int[] labels = new int[n];
    int at = 0;
    for (BatchLoader.Batch b : batches) {
      System.arraycopy(b.labels(), 0, labels, at, b.size());
      at += b.size();
    }
    long[] exits = new long[k];
    long correct = 0;
    for (int i = 0; i < n; i++) {
      exits[streamed.exitAt()[i]]++;
      correct += streamed.classes()[i] == labels[i] ? 1 : 0;
    }
    StringBuilder fractions = new StringBuilder();
    for (int c = 0; c < k; c++) {
      fractions.append(String.format(Locale.ROOT, "%s%.2f", c == 0 ? "" : " / ", (double) exits[c] / n));
    }
    System.out.printf(Locale.ROOT, "run %s, q %s, thresholds fitted on %d held-out training images%n", run.getFileName(), q, fit.size());
    System.out.printf(Locale.ROOT, "early exit: accuracy %.2f %%, fraction leaving at each classifier %s%n", 100.0 * correct / n, fractions);
    if (!bench) {
      System.out.printf(Locale.ROOT, "predict: early exit %.1f img/s on %d test images (batches of %d, continuing images regrouped)%n",
          n / seconds, n, batch);
      return 0;
    }
    new Bench(trained, predictor, batches, inputs, streamed, exits, batch, rounds).print();
    return 0;
  }

  /**
   * {@code --bench}: early exit timed against every classifier on the same images, run both as one
   * pass of the graph and by the same executor with no image leaving (faster than the graph pass at
   * some batch sizes; bench/HISTORY.md, "Sixteenth pass").
   *
   * @param streamed the streamed prediction of every image, which batch by batch must match
   * @param exits how many images leave at each classifier
   * @param rounds alternating rounds of the streamed measurement
   */
  private record Bench(TrainedRun trained, EarlyExitPredictor predictor, List<BatchLoader.Batch> batches,
      List<INDArray> inputs, EarlyExitPredictor.Prediction streamed, long[] exits, int batch, int rounds) {

    void print() {
      int n = streamed.classes().length;
      int k = exits.length;
      // Warm-up: one untimed pass over every batch each, so that both sides are timed with their
      // oneDNN primitives built for every batch size they meet (batch by batch meets several).
      for (INDArray x : inputs) {
        predictor.predict(x);
        predictor.predictStreamWithoutLeaving(List.of(x));
        trained.network().logits(x).release();
      }
      // Batch by batch (the latency form), interleaved with both ways of running every classifier.
      double early = 0;
      double full = 0;
      double staged = 0;
      long correctMain = 0;
      long disagree = 0;
      int at = 0;
      for (BatchLoader.Batch b : batches) {
        long t0 = System.nanoTime();
        EarlyExitPredictor.Prediction p = predictor.predict(b.input());
        early += (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        var out = trained.network().logits(b.input());
        full += (System.nanoTime() - t1) / 1e9;
        long t2 = System.nanoTime();
        predictor.predictStreamWithoutLeaving(List.of(b.input()));
        staged += (System.nanoTime() - t2) / 1e9;
        long[] main = out.logits()[k - 1].argMax(1).toLongVector();
        out.release();
        for (int i = 0; i < b.size(); i++, at++) {
          correctMain += main[i] == b.labels()[i] ? 1 : 0;
          disagree += p.classes()[i] == streamed.classes()[at] && p.exitAt()[i] == streamed.exitAt()[at] ? 0 : 1;
        }
      }
      // Streamed (the throughput form) against both ways of running every classifier over the same
      // images, in alternating rounds: the median of the rounds' ratios, since this VM's speed drifts
      // between rounds.
      double[] ratios = new double[rounds];
      double streamedSeconds = 0;
      double fullSeconds = 0;
      double stagedSeconds = 0;
      for (int round = 0; round < rounds; round++) {
        long t0 = System.nanoTime();
        predictor.predictStream(inputs);
        double s = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        for (INDArray x : inputs) {
          trained.network().logits(x).release();
        }
        double f = (System.nanoTime() - t1) / 1e9;
        long t2 = System.nanoTime();
        predictor.predictStreamWithoutLeaving(inputs);
        double g = (System.nanoTime() - t2) / 1e9;
        ratios[round] = speedUp(s, f, g);
        streamedSeconds += s;
        fullSeconds += f;
        stagedSeconds += g;
      }
      double[] segment = new double[k];
      for (INDArray x : inputs) {  // each segment's time with the whole batch running it
        double[] s = predictor.segmentSeconds(x);
        for (int c = 0; c < k; c++) {
          segment[c] += s[c];
        }
      }
      // What the counted MFLOPs promise: every classifier's cost over the images' average cost.
      double[] cost = new ArchitectureSummary(trained.network().blueprint()).earlyExitMflops();
      double average = 0;
      for (int c = 0; c < k; c++) {
        average += cost[c] * exits[c] / n;
      }
      double counted = cost[k - 1] / average;
      double[] upTo = new double[k];  // seconds per image for an image leaving at each classifier
      double timedAverage = 0;
      for (int c = 0; c < k; c++) {
        upTo[c] = (c == 0 ? 0 : upTo[c - 1]) + segment[c] / n;
        timedAverage += upTo[c] * exits[c] / n;
      }
      double timed = upTo[k - 1] / timedAverage;
      StringBuilder parts = new StringBuilder();
      for (int c = 0; c < k; c++) {
        parts.append(String.format(Locale.ROOT, "%s%.0f", c == 0 ? "" : " / ", 100 * segment[c] / (upTo[k - 1] * n)));
      }
      Arrays.sort(ratios);
      double median = ratios.length % 2 == 1 ? ratios[ratios.length / 2]
          : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
      System.out.printf(Locale.ROOT, "all classifiers: main-network accuracy %.2f %%%n", 100.0 * correctMain / n);
      System.out.printf(Locale.ROOT, "counted: %.2f MFLOPs per image on average vs %.2f for all classifiers (speed-up %.2f x)%n",
          average, cost[k - 1], counted);
      System.out.printf(Locale.ROOT, "timed segments: %s %% of a full pass's time up to each classifier in turn (MFLOPs: %s %%); "
          + "they predict %.2f x; staged with no image leaving: %.1f img/s%n", parts, mflopShares(cost), timed, 1 / upTo[k - 1]);
      System.out.printf(Locale.ROOT, "streamed (continuing images regrouped into batches of %d): early exit %.1f img/s vs all "
          + "classifiers %.1f img/s in one pass of the graph, %.1f img/s staged with no image leaving; speed-up over the "
          + "faster %.2f x, median of %d alternating rounds (%.2f-%.2f): %.0f %% of the counted and %.0f %% of the timed "
          + "prediction%n", batch, rounds * n / streamedSeconds, rounds * n / fullSeconds,
          rounds * n / stagedSeconds, median, rounds, ratios[0], ratios[ratios.length - 1],
          100 * median / counted, 100 * median / timed);
      StringBuilder each = new StringBuilder();
      for (double r : ratios) {
        each.append(String.format(Locale.ROOT, " %.0f", 100 * r / counted));
      }
      System.out.printf(Locale.ROOT, "streamed rounds, sorted, %% of the counted speed-up:%s%n", each);
      double bound = firstSegmentTimeFor(GOAL_OF_COUNTED * counted, segment, exits);
      System.out.printf(Locale.ROOT, "for %.0f %% of the counted speed-up the first segment, now %.0f %% of a full pass's time, "
          + "would have to take %s, the other segments unchanged%n", 100 * GOAL_OF_COUNTED, 100 * segment[0] / (upTo[k - 1] * n),
          Double.isNaN(bound) ? "less than no time"
              : Double.isInfinite(bound) || bound >= segment[0] ? "no less time than now"
              : String.format(Locale.ROOT, "%.0f %% of that pass's time (%.0f %% less than now)", 100 * bound / (upTo[k - 1] * n),
                  100 * (1 - bound / segment[0])));
      double byBatch = speedUp(early, full, staged);
      System.out.printf(Locale.ROOT, "batch by batch: early exit %.1f img/s vs all classifiers %.1f img/s (one pass) and %.1f "
          + "img/s (staged); speed-up over the faster %.2f x: %.0f %% of the counted and %.0f %% of the timed prediction; "
          + "%d images predicted differently than streamed%n", n / early, n / full, n / staged, byBatch,
          100 * byBatch / counted, 100 * byBatch / timed, disagree);
    }
  }

  /**
   * Early exit's speed-up over running every classifier the faster of the two ways timed alongside
   * it: measuring against the slower would credit early exit with the executor's own speed.
   *
   * @param earlySeconds early exit's time
   * @param fullSeconds one pass of the graph over the same images
   * @param stagedSeconds the early-exit executor over the same images with no image leaving
   */
  static double speedUp(double earlySeconds, double fullSeconds, double stagedSeconds) {
    return Math.min(fullSeconds, stagedSeconds) / earlySeconds;
  }

  /** The fraction of the counted speed-up that step 11's goal asks early exit to reach (bench/HISTORY.md). */
  static final double GOAL_OF_COUNTED = 0.9;

  /**
   * The longest time the first segment may take for early exit to reach {@code speedUp}, the later
   * segments' times unchanged: with s the segments' times, r the fraction of the images that reach
   * each one and B, A the sums of s and of r·s over the later segments, early exit takes s1 + A
   * against s1 + B for a full pass, so s1 ≤ (B − speedUp·A) / (speedUp − 1).
   *
   * @param segmentSeconds each segment's time over the same images (any unit; the result is in it)
   * @param exits how many images leave at each classifier
   * @return the bound; infinity when any time will do (a speed-up of at most 1); NaN when even a
   *     first segment that takes no time is not fast enough
   */
  static double firstSegmentTimeFor(double speedUp, double[] segmentSeconds, long[] exits) {
    if (speedUp <= 1) {
      return Double.POSITIVE_INFINITY;
    }
    long images = Arrays.stream(exits).sum();
    long reaching = images - exits[0];
    double later = 0;  // B
    double laterReached = 0;  // A
    for (int c = 1; c < segmentSeconds.length; c++) {
      later += segmentSeconds[c];
      laterReached += segmentSeconds[c] * reaching / images;
      reaching -= exits[c];
    }
    double first = (later - speedUp * laterReached) / (speedUp - 1);
    return first < 0 ? Double.NaN : first;
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
