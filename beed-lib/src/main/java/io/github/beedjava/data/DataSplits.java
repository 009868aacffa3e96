package io.github.beedjava.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The training and test splits of a dataset, with the files they were read from (hashed into
 * each run's provenance).
 *
 * @param dataset registry name
 * @param train training split
 * @param test test split
 * @param files source files; empty for generated data
 */
public record DataSplits(String dataset, ImageDataset train, ImageDataset test, List<Path> files) {

  /** Classes of the dataset. */
  public int numClasses() {
    return train.numClasses();
  }
}
