package io.github.beedjava.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.network.MultiExitNetwork;
import io.github.beedjava.network.ParameterRef;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every tensor kind (depthwise included) survives export to PyTorch layout and import back. */
class StateDictRoundTripTest {
  @Test
  void mobileNetWithTofdExitsRoundTrips() {
    ModelConfig config = ModelConfig.cifar("mobilenetv2", ExitStructure.TOFD, 1.0 / 8, 10);
    MultiExitNetwork a = MultiExitNetwork.create(config);
    MultiExitNetwork b = MultiExitNetwork.create(config.withSeed(99));
    assertNotEquals(a.graph().params(), b.graph().params());
    Map<String, INDArray> exported = new HashMap<>();
    for (ParameterRef ref : a.parameters()) {
      exported.put(ref.pytorchName(), StateDict.toPytorch(ref, a.parameter(ref)));
    }
    ParameterRef dw = a.parameters().stream().filter(r -> r.kind() == ParameterRef.Kind.DEPTHWISE_WEIGHT).findFirst().orElseThrow();
    INDArray torch = exported.get(dw.pytorchName());
    assertEquals(1, torch.size(1), "PyTorch depthwise weights are [C, 1, k, k]");
    assertEquals(3, torch.size(3));
    StateDict.load(b, exported::get, "round trip");
    assertEquals(a.graph().params(), b.graph().params());
  }
}
