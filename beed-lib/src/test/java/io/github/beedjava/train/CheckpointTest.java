package io.github.beedjava.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.eval.Accuracies;
import io.github.beedjava.objective.LossResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointTest {
  @TempDir Path dir;

  private static Checkpoint sample(INDArray momentum) {
    EpochProgress p = new EpochProgress();
    p.add(2.5, Map.of("CE1", 1.25), 32, 0.5);
    Map<String, Double> losses = new LinkedHashMap<>();
    losses.put("loss", 2.0);
    losses.put("CE1", 1.0 / 3);
    EpochMetrics m = new EpochMetrics(1, 0.1, losses,
        new Accuracies(List.of("Exit1", "Main"), new double[] {12.5, 50}, 40, 200), 3, 0.5, 100);
    Nd4j.getRandom().setSeed(3);
    return new Checkpoint("abc", 1, 7, p, List.of(m), 12.25, Nd4j.rand(DataType.FLOAT, 1000), momentum);
  }

  @Test
  void roundTripIsBitExact() throws IOException {
    Checkpoint c = sample(Nd4j.rand(DataType.FLOAT, 1000));
    Path f = dir.resolve(Checkpoint.FILE);
    c.write(f);
    Checkpoint back = Checkpoint.read(f);
    assertEquals(Checkpoint.sha256Of(c.params()), Checkpoint.sha256Of(back.params()));
    assertEquals(Checkpoint.sha256Of(c.momentum()), Checkpoint.sha256Of(back.momentum()));
    assertEquals(7, back.nextBatch());
    assertEquals(1.0 / 3, back.finished().get(0).losses().get("CE1"));
    assertEquals(c.epochProgress().meanLoss(), back.epochProgress().meanLoss());
    assertEquals(40, back.finished().get(0).accuracies().ensemble());
    assertEquals(12.25, back.wallSeconds());
    c = sample(null);
    c.write(f);
    assertNull(Checkpoint.read(f).momentum());
    assertTrue(Files.list(dir).allMatch(p -> p.getFileName().toString().equals(Checkpoint.FILE)), "no temp file left behind");
  }

  @Test
  void truncatedOrForeignFilesAreRefusedWithTheFix() throws IOException {
    Path f = dir.resolve(Checkpoint.FILE);
    sample(null).write(f);
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, all.length - 100));
    IOException t = assertThrows(IOException.class, () -> Checkpoint.read(f));
    assertTrue(t.getMessage().contains("truncated or damaged") && t.getMessage().contains("delete"), t.getMessage());
    all[all.length / 2] ^= 1;
    Files.write(f, all);
    assertThrows(IOException.class, () -> Checkpoint.read(f));
    Files.writeString(f, "hello");
    IOException foreign = assertThrows(IOException.class, () -> Checkpoint.read(f));
    assertTrue(foreign.getMessage().contains("not a BEED-Java checkpoint"), foreign.getMessage());
  }

  @Test
  void nanGuardNamesEpochIterationClassifierAndTerm() {
    Map<String, Double> terms = new LinkedHashMap<>();
    terms.put("CE1", 1.0);
    terms.put("KD2", Double.NaN);
    LossResult r = new LossResult(Double.NaN, terms, null, null, null);
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> NanGuard.check(r, 3, 7, 4));
    assertTrue(e.getMessage().contains("KD2") && e.getMessage().contains("Exit2")
        && e.getMessage().contains("epoch 3") && e.getMessage().contains("iteration 7"), e.getMessage());
    terms.put("KD2", 0.5);
    terms.put("CE4", Double.POSITIVE_INFINITY);
    TrainingDivergedException main = assertThrows(TrainingDivergedException.class, () -> NanGuard.check(r, 1, 1, 4));
    assertTrue(main.getMessage().contains("classifier Main"), main.getMessage());
  }
}
