package io.github.beedjava.data;

import java.util.SplittableRandom;

/**
 * The data order and augmentation randomness of a run as pure functions of (seed, epoch, batch),
 * so that a run resumed from a checkpoint sees exactly the batches the uninterrupted run would.
 */
public final class EpochOrder {
  private EpochOrder() {}

  /** The shuffled order of {@code n} training images in an epoch (Fisher–Yates). */
  public static int[] permutation(int n, long seed, int epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(mix(seed, 0x5EED_0001L, epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The augmentation random source of one batch. */
  public static SplittableRandom augmentation(long seed, int epoch, int batch) {
    return new SplittableRandom(mix(seed, epoch, batch));
  }

  /** A fixed subset of {@code size} of {@code n} indices (independent of the training seed). */
  public static int[] subset(int n, int size, long subsetSeed) {
    int[] all = permutation(n, subsetSeed, -1);
    int[] out = java.util.Arrays.copyOf(all, size);
    java.util.Arrays.sort(out);
    return out;
  }

  private static long mix(long a, long b, long c) {
    long h = a * 0x9E3779B97F4A7C15L + b;
    h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + c;
    return (h ^ (h >>> 29)) * 0x94D049BB133111EBL;
  }
}
