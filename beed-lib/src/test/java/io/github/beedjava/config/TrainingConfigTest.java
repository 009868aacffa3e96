package io.github.beedjava.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.objective.Method;
import io.github.beedjava.optim.StepSchedule;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

  @Test
  void jsonRoundTripKeepsEveryFieldAndTheHash() {
    TrainingConfig c = Profile.PAPER.defaults().method(Method.EED).lambda(1.4).seed(7).milestones(List.of(10, 20)).build();
    TrainingConfig back = TrainingConfig.fromJson(c.toJson(), "c.json");
    assertEquals(c, back);
    assertEquals(c.hash(), back.hash());
    assertEquals(c.hash(), Profile.PAPER.defaults().method(Method.EED).lambda(1.4).seed(7).milestones(List.of(10, 20)).build().hash());
  }

  @Test
  void everyResultChangingFieldChangesTheHash() {
    TrainingConfig base = Profile.SMOKE.defaults().build();
    List<UnaryOperator<TrainingConfig.Builder>> changes = List.of(
        b -> b.model("resnet34"), b -> b.method(Method.KD), b -> b.lambda(1.5), b -> b.gamma(1.1),
        b -> b.temperature(4), b -> b.width(0.25), b -> b.stemRelu(true), b -> b.dataset("fashion-mnist"),
        b -> b.trainSubset(100), b -> b.testSubset(100), b -> b.epochs(4), b -> b.batchSize(16), b -> b.lr(0.05),
        b -> b.milestones(List.of(1)), b -> b.lrFactor(0.2), b -> b.momentum(0.8), b -> b.weightDecay(1e-4),
        b -> b.seed(2), b -> b.profile(Profile.QUICK));
    for (UnaryOperator<TrainingConfig.Builder> change : changes) {
      assertNotEquals(base.hash(), change.apply(base.toBuilder()).build().hash());
    }
  }

  @Test
  void hashesOfCommittedRunsStayStable() {
    // results/runs/ holds runs with these hashes; a changed canonical form would silently stop their reuse.
    assertEquals("7d56fbda6881", Profile.QUICK.defaults().method(Method.BEED).build().hash());
    assertEquals("1b86d9a00dbb", Profile.QUICK.defaults().method(Method.BASELINE).build().hash());
    TrainingConfig stem = Profile.SMOKE.defaults().imagenetStem(true).build();
    assertNotEquals(Profile.SMOKE.defaults().build().hash(), stem.hash());
    assertEquals(stem, TrainingConfig.fromJson(stem.toJson(), "stem.json"));
  }

  @Test
  void baselineRunsWithoutExitsAndMethodsNeedThem() {
    TrainingConfig b = Profile.SMOKE.defaults().method(Method.BASELINE).build();
    assertEquals(ExitStructure.NONE, b.exits());
    assertEquals(1, b.numClassifiers());
    assertEquals(List.of("Main"), b.classifierNames());
    assertEquals(List.of("Exit1", "Exit2", "Exit3", "Main"), Profile.SMOKE.defaults().build().classifierNames());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Profile.SMOKE.defaults().exits(ExitStructure.NONE).build());
    assertTrue(e.getMessage().startsWith("exits:"), e.getMessage());
  }

  @Test
  void eachNetworkGetsItsOwnDefaultExitsAndRefusesForeignOnes() {
    TrainingConfig msd = Profile.QUICK.defaults().model("msdnet").build();
    assertEquals(ExitStructure.MSDNET, msd.exits());
    assertEquals(List.of("Exit1", "Exit2", "Exit3", "Main"), msd.classifierNames());
    assertEquals(ExitStructure.NONE, Profile.QUICK.defaults().model("msdnet").method(Method.BASELINE).build().exits());
    assertEquals(ExitStructure.BOTTLENECK, Profile.QUICK.defaults().model("wrn16_4").build().exits());
    assertField("exits", b -> b.model("msdnet").exits(ExitStructure.BOTTLENECK));
    assertField("exits", b -> b.model("resnet18").exits(ExitStructure.MSDNET));
    assertEquals(msd.hash(), TrainingConfig.fromJson(msd.toJson(), "c.json").hash());
  }

  @Test
  void invalidValuesNameTheirField() {
    assertField("model", b -> b.model("resnet99"));
    assertField("gamma", b -> b.gamma(1.3)); // 2 - 1.3^3 < 0 for K = 4
    assertField("batchSize", b -> b.batchSize(0));
    assertField("epochs", b -> b.epochs(0));
    assertField("lr", b -> b.lr(-1));
    assertField("dataset", b -> b.dataset("mnist"));
    assertField("milestones", b -> b.milestones(List.of(5, 3)));
    assertField("momentum", b -> b.momentum(1));
  }

  private static void assertField(String field, UnaryOperator<TrainingConfig.Builder> change) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(Profile.SMOKE.defaults()).build());
    assertTrue(e.getMessage().startsWith(field + ":"), "expected a message about " + field + ", got: " + e.getMessage());
  }

  @Test
  void configFilesMayBePartialAndBadOnesNameTheFileAndField() {
    TrainingConfig c = TrainingConfig.fromJson("{\"profile\": \"smoke\", \"method\": \"kd\"}", "k.json");
    assertEquals(Method.KD, c.method());
    assertEquals(Profile.SMOKE.defaults().build().width(), c.width());
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromJson("{\"widht\": 1}", "x.json"));
    assertTrue(unknown.getMessage().contains("x.json") && unknown.getMessage().contains("widht"), unknown.getMessage());
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromJson("{\"epochs\": \"ten\"}", "y.json"));
    assertTrue(type.getMessage().contains("y.json: epochs"), type.getMessage());
    IllegalArgumentException json = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.fromJson("{\"epochs\": ", "z.json"));
    assertTrue(json.getMessage().contains("z.json: not valid JSON"), json.getMessage());
  }

  @Test
  void milestonesScaleWithTheEpochCount() {
    assertEquals(List.of(75, 130, 180), Profile.PAPER.defaults().build().optimisation().milestones());
    assertEquals(List.of(2, 3), Profile.QUICK.defaults().epochs(5).build().optimisation().milestones());
    assertEquals(List.of(1, 2), Profile.SMOKE.defaults().build().optimisation().milestones());
    StepSchedule s = Profile.PAPER.defaults().build().schedule();
    assertEquals(0.1, s.lr(74), 1e-12);
    assertEquals(0.01, s.lr(75), 1e-12);
    assertEquals(0.001, s.lr(130), 1e-12);
    assertEquals(1e-4, s.lr(199), 1e-12);
    // a changed epoch count rescales default milestones, explicit ones stay
    assertEquals(List.of(8, 13, 18), Profile.PAPER.defaults().build().toBuilder().epochs(20).build().optimisation().milestones());
  }
}
