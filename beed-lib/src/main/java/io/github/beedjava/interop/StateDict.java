package io.github.beedjava.interop;

import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.ParameterRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves tensors between PyTorch {@code state_dict} layout (by PyTorch name) and the network's DL4J
 * parameters: Linear weights are transposed, vectors reshaped, BN running statistics included.
 */
public final class StateDict {
  private StateDict() {}

  /**
   * Loads every tensor of the network from a source of PyTorch-named arrays.
   *
   * @param source looks up a tensor by PyTorch name, null when absent
   * @param origin names the source in error messages (e.g. the file)
   * @throws IllegalArgumentException listing every missing or mis-shaped tensor
   */
  public static void load(MultiExitNetwork net, Function<String, INDArray> source, String origin) {
    List<String> problems = new ArrayList<>();
    for (ParameterRef ref : net.parameters()) {
      INDArray value = source.apply(ref.pytorchName());
      INDArray target = net.parameter(ref);
      if (value == null) {
        problems.add("missing " + ref.pytorchName());
        continue;
      }
      INDArray converted = toDl4j(ref, value, target.shape());
      if (converted == null) {
        problems.add(
            ref.pytorchName()
                + " has shape "
                + Arrays.toString(value.shape())
                + ", the model expects "
                + Arrays.toString(pytorchShape(ref, target)));
        continue;
      }
      target.assign(converted.castTo(target.dataType()));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          origin
              + ": state dict does not fit the model "
              + net.config().architecture()
              + " (width "
              + net.config().width()
              + ", "
              + net.config().numClasses()
              + " classes): "
              + String.join("; ", problems.subList(0, Math.min(8, problems.size())))
              + (problems.size() > 8 ? "; and " + (problems.size() - 8) + " more" : ""));
    }
  }

  /**
   * Adds every tensor of the network (parameters and BN running statistics) to an archive under
   * {@code prefix + PyTorch name}, in PyTorch layout and the network's data type.
   */
  public static void putAll(MultiExitNetwork net, NpzWriter out, String prefix) {
    for (ParameterRef ref : net.parameters()) {
      out.put(prefix + ref.pytorchName(), toPytorch(ref, net.parameter(ref)));
    }
  }

  /** A DL4J array (parameter or gradient) of a tensor, in PyTorch layout. */
  public static INDArray toPytorch(ParameterRef ref, INDArray dl4j) {
    return switch (ref.kind()) {
      case LINEAR_WEIGHT -> dl4j.transpose().dup('c');
      case VECTOR, RUNNING_STATISTIC -> dl4j.reshape(dl4j.length()).dup('c');
      case CONV_WEIGHT -> dl4j.dup('c');
      case DEPTHWISE_WEIGHT -> dl4j.permute(2, 3, 0, 1).dup('c');
    };
  }

  /** The PyTorch shape of a tensor. */
  public static long[] pytorchShape(ParameterRef ref, INDArray dl4j) {
    return toPytorch(ref, dl4j).shape();
  }

  private static INDArray toDl4j(ParameterRef ref, INDArray value, long[] dl4jShape) {
    INDArray v =
        switch (ref.kind()) {
          case LINEAR_WEIGHT -> value.rank() == 2 ? value.transpose() : null;
          case VECTOR, RUNNING_STATISTIC -> value.length() == shapeLength(dl4jShape) ? value.reshape(dl4jShape) : null;
          case CONV_WEIGHT -> value;
          case DEPTHWISE_WEIGHT -> value.rank() == 4 ? value.permute(2, 3, 0, 1) : null;
        };
    if (v == null || !Arrays.equals(v.shape(), dl4jShape)) {
      return null;
    }
    return v;
  }

  private static long shapeLength(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
