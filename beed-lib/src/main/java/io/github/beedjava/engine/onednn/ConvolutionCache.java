package io.github.beedjava.engine.onednn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One layer's {@link OneDnnConvolution}s by geometry, least recently used first out: training,
 * evaluation and a short last batch each need their own, and building one costs far more than a
 * call.
 */
public final class ConvolutionCache {
  /** Geometries kept per layer. */
  private static final int CAPACITY = 4;

  private final Map<OneDnnConvolution.Geometry, OneDnnConvolution> convolutions =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<OneDnnConvolution.Geometry, OneDnnConvolution> eldest) {
          return size() > CAPACITY;
        }
      };

  /** The convolution of {@code geometry}, built by {@code create} on first use. */
  public OneDnnConvolution get(OneDnnConvolution.Geometry geometry,
      Function<OneDnnConvolution.Geometry, OneDnnConvolution> create) {
    return convolutions.computeIfAbsent(geometry, create);
  }

  /** How many geometries are kept. */
  public int size() {
    return convolutions.size();
  }
}
