package io.github.beedjava.data;

import java.util.SplittableRandom;

/** A fixed subset of another dataset, by index. */
public final class SubsetDataset implements ImageDataset {
  private final ImageDataset base;
  private final int[] indices;

  /**
   * @param base the full split
   * @param indices the images kept, in the subset's order
   */
  public SubsetDataset(ImageDataset base, int[] indices) {
    for (int i : indices) {
      if (i < 0 || i >= base.size()) {
        throw new IllegalArgumentException(base.name() + ": subset index " + i + " outside [0, " + base.size() + ")");
      }
    }
    this.base = base;
    this.indices = indices.clone();
  }

  @Override
  public String name() {
    return base.name() + "[" + indices.length + "]";
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public int numClasses() {
    return base.numClasses();
  }

  @Override
  public int channels() {
    return base.channels();
  }

  @Override
  public int imageSize() {
    return base.imageSize();
  }

  @Override
  public int label(int index) {
    return base.label(indices[index]);
  }

  @Override
  public void write(int index, SplittableRandom augment, float[] dest, int offset) {
    base.write(indices[index], augment, dest, offset);
  }
}
