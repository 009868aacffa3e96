package io.github.beedjava.engine.layers;

import io.github.beedjava.engine.layout.BlockedActivations;
import io.github.beedjava.engine.onednn.OneDnnConvolution;

/**
 * Whether a directly run convolution's input and output are in oneDNN's blocked layout, as
 * {@link BlockedActivations#plan} chose them; shared by the dense and depthwise layers.
 */
final class BlockedLayoutFlags {
  private boolean input;
  private boolean output;

  /** Sets the planned layouts of the layer's input and output. */
  void set(boolean input, boolean output) {
    this.input = input;
    this.output = output;
  }

  /** Whether this pass reads or writes the blocked layout (then only the direct convolution can run it). */
  boolean inThisPass() {
    return (input || output) && BlockedActivations.active();
  }

  /** Whether this pass reads the blocked layout. */
  boolean inputInThisPass() {
    return input && BlockedActivations.active();
  }

  /** Whether this pass writes the blocked layout. */
  boolean outputInThisPass() {
    return output && BlockedActivations.active();
  }

  /** {@code geometry} with the planned layouts in a pass that uses them, else unchanged. */
  OneDnnConvolution.Geometry applyTo(OneDnnConvolution.Geometry geometry) {
    return inThisPass() ? geometry.withBlockedLayout(input, output) : geometry;
  }

  /**
   * {@code convolution}, the direct path for this pass or null.
   *
   * @throws IllegalStateException when it is null in a pass planned for the blocked layout, which
   *     DL4J's and libnd4j's code cannot read
   */
  OneDnnConvolution required(OneDnnConvolution convolution, String layerId) {
    if (convolution == null && inThisPass()) {
      throw DirectConvolutionSettings.blockedPassRefused(layerId);
    }
    return convolution;
  }
}
