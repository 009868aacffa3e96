package io.github.beedjava.config;

import io.github.beedjava.data.Datasets;

/**
 * Which images a run trains and tests on.
 *
 * @param dataset dataset registry name
 * @param trainSubset training images used (0 = all)
 * @param testSubset test images used (0 = all)
 * @param imageSize crop size of image-folder data (ignored for the 32×32 datasets)
 */
public record DataSpec(String dataset, int trainSubset, int testSubset, int imageSize) {

  /** Validates; messages name the field. */
  public DataSpec {
    if (dataset == null) {
      throw new IllegalArgumentException("config: dataset is required");
    }
    Datasets.requireKnown(dataset);
    if (trainSubset < 0 || testSubset < 0) {
      throw new IllegalArgumentException("trainSubset/testSubset: must be >= 0 (0 = the whole split), got " + trainSubset + "/" + testSubset);
    }
    if (imageSize < 8 || imageSize % 8 != 0) {
      throw new IllegalArgumentException("imageSize: must be a multiple of 8, got " + imageSize);
    }
  }
}
