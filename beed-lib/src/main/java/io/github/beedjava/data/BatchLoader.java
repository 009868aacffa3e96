package io.github.beedjava.data;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Assembles NCHW batches from an {@link ImageDataset}. */
public final class BatchLoader {
  private BatchLoader() {}

  /**
   * A batch of images and their labels.
   *
   * @param input NCHW images
   * @param labels class of each image
   */
  public record Batch(INDArray input, int[] labels) {
    /** Number of images. */
    public int size() {
      return labels.length;
    }
  }

  /**
   * The images {@code order[from .. from+count)} as a batch.
   *
   * @param augment null for the test transform, else the batch's augmentation source
   * @param type data type of the input array
   */
  public static Batch load(ImageDataset data, int[] order, int from, int count, SplittableRandom augment, DataType type) {
    int c = data.channels();
    int s = data.imageSize();
    int per = c * s * s;
    float[] pixels = new float[count * per];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      int index = order == null ? from + i : order[from + i];
      data.write(index, augment, pixels, i * per);
      labels[i] = data.label(index);
    }
    INDArray input = Nd4j.create(pixels, new long[] {count, c, s, s}, 'c');
    return new Batch(type == DataType.FLOAT ? input : input.castTo(type), labels);
  }
}
