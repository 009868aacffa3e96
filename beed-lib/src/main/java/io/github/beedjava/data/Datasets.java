package io.github.beedjava.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The dataset registry: names, default locations, loading with optional subsets. */
public final class Datasets {
  private Datasets() {}

  /** Generated images, no files. */
  public static final String SYNTHETIC = "synthetic";
  /** Fashion-MNIST (Debian package). */
  public static final String FASHION_MNIST = "fashion-mnist";
  /** CIFAR-100 binary. */
  public static final String CIFAR100 = "cifar100";
  /** ImageNet-style class folders ({@code DIR/train}, {@code DIR/val}). */
  public static final String IMAGE_FOLDER = "image-folder";

  /** Every registered name. */
  public static final List<String> NAMES = List.of(SYNTHETIC, FASHION_MNIST, CIFAR100, IMAGE_FOLDER);

  /** Seed of the subset selection: fixed, so every method and seed sees the same subset. */
  static final long SUBSET_SEED = 2022L;

  /** Images generated for the synthetic dataset when no subset size is given. */
  static final int SYNTHETIC_TRAIN = 2000;
  static final int SYNTHETIC_TEST = 500;

  /** Checks a name; the message lists the choices. */
  public static String requireKnown(String name) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("dataset: unknown dataset '" + name + "'; available: " + String.join(", ", NAMES));
    }
    return name;
  }

  /**
   * Where a dataset is read from when no folder is given: {@code $BEED_DATA_DIR/<name>} when it
   * exists, else Debian's folder for Fashion-MNIST and {@code data/} for the others.
   */
  public static Path defaultDir(String name) {
    String env = System.getenv("BEED_DATA_DIR");
    if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env, name))) {
      return Path.of(env, name);
    }
    return switch (name) {
      case FASHION_MNIST -> Path.of(FashionMnist.DEBIAN_DIR);
      case CIFAR100 -> io.github.beedjava.runtime.BuildInfo.home().resolve("data");
      default -> io.github.beedjava.runtime.BuildInfo.home().resolve("data").resolve(name);
    };
  }

  /**
   * Loads a dataset.
   *
   * @param dir its folder, or null for {@link #defaultDir}
   * @param trainSubset training images to keep (0 = all)
   * @param testSubset test images to keep (0 = all)
   * @param imageSize crop size for image folders (ignored otherwise)
   */
  public static DataSplits load(String name, Path dir, int trainSubset, int testSubset, int imageSize) throws IOException {
    requireKnown(name);
    if (trainSubset < 0 || testSubset < 0) {
      throw new IllegalArgumentException("trainSubset/testSubset: must be >= 0 (0 = whole split)");
    }
    Path folder = dir != null ? dir : defaultDir(name);
    DataSplits full =
        switch (name) {
          case SYNTHETIC -> SyntheticImages.generate(
              trainSubset > 0 ? trainSubset : SYNTHETIC_TRAIN, testSubset > 0 ? testSubset : SYNTHETIC_TEST);
          case FASHION_MNIST -> FashionMnist.load(folder);
          case CIFAR100 -> Cifar100.load(folder);
          default -> imageFolder(folder, imageSize);
        };
    return new DataSplits(
        full.dataset(), subset(full.train(), trainSubset), subset(full.test(), testSubset), full.files());
  }

  /**
   * A held-out split for fitting early-exit thresholds: up to {@code size} training images that a
   * run with {@code trainSubset} never trained on (never test images). Synthetic data draws a
   * fresh seeded split. A run that trained on the whole training split has no such images: that
   * is refused with the fix.
   */
  public static ImageDataset heldOut(String name, Path dir, int trainSubset, int size) throws IOException {
    requireKnown(name);
    if (size < 1) {
      throw new IllegalArgumentException("heldOut: size must be >= 1, got " + size);
    }
    if (name.equals(SYNTHETIC)) {
      return SyntheticImages.heldOut(size);
    }
    if (trainSubset == 0) {
      throw new IllegalArgumentException("heldOut: the run trained on the whole training split of " + name
          + ", so no training image is left to fit thresholds on; train with --train-subset N");
    }
    DataSplits full = load(name, dir, 0, 1, 224);
    int n = full.train().size();
    if (trainSubset >= n) {
      throw new IllegalArgumentException("heldOut: the run trained on the whole training split of " + name
          + ", so no training image is left to fit thresholds on; train with --train-subset N < " + n);
    }
    boolean[] used = new boolean[n];
    for (int i : EpochOrder.subset(n, trainSubset, SUBSET_SEED)) {
      used[i] = true;
    }
    int[] order = EpochOrder.permutation(n, SUBSET_SEED + 1, -1);
    int[] picked = java.util.Arrays.stream(order).filter(i -> !used[i]).limit(size).sorted().toArray();
    return new SubsetDataset(full.train(), picked);
  }

  private static DataSplits imageFolder(Path dir, int imageSize) throws IOException {
    ImageFolderDataset train = ImageFolderDataset.open(dir.resolve("train"), imageSize, IMAGE_FOLDER + "/train");
    ImageFolderDataset test = ImageFolderDataset.open(dir.resolve("val"), imageSize, IMAGE_FOLDER + "/val");
    if (!train.classes().equals(test.classes())) {
      throw new IOException(dir + ": train/ and val/ have different class folders; they must match");
    }
    List<Path> files = new ArrayList<>(train.files());
    files.addAll(test.files());
    return new DataSplits(IMAGE_FOLDER, train, test, files);
  }

  private static ImageDataset subset(ImageDataset data, int size) {
    if (size == 0 || size == data.size()) {
      return data;
    }
    if (size > data.size()) {
      throw new IllegalArgumentException(
          "subset: asked for " + size + " images of " + data.name() + ", which has " + data.size());
    }
    return new SubsetDataset(data, EpochOrder.subset(data.size(), size, SUBSET_SEED));
  }
}
