package io.github.beedjava.data;

import java.util.SplittableRandom;

/**
 * A labelled image split. Images come out as normalised float CHW, augmented when a random
 * source is given; the same index, source state and flag always give the same pixels.
 */
public interface ImageDataset {

  /** Short name for logs, e.g. {@code fashion-mnist/train}. */
  String name();

  /** Number of images. */
  int size();

  /** Number of classes; labels are in [0, numClasses). */
  int numClasses();

  /** Channels of an output image. */
  int channels();

  /** Height and width of an output image (square). */
  int imageSize();

  /** Label of image {@code index}. */
  int label(int index);

  /**
   * Writes image {@code index}, normalised, into {@code dest[offset ..]} in CHW order.
   *
   * @param augment null: the test transform; otherwise the training augmentation drawn from it
   */
  void write(int index, SplittableRandom augment, float[] dest, int offset);
}
