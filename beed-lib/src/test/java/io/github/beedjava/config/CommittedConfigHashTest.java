package io.github.beedjava.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A config hash names a run directory and decides reuse, so its meaning must never change: every
 * committed run's {@code config.json} still hashes to the suffix of its directory name, and the
 * defaults still give the committed BEED run.
 */
class CommittedConfigHashTest {

  private static Path runs() {
    return Path.of(System.getProperty("beed.repository", "..")).resolve("results").resolve("runs");
  }

  @Test
  void everyCommittedRunKeepsItsConfigHash() throws IOException {
    List<Path> dirs;
    try (Stream<Path> s = Files.list(runs())) {
      dirs = s.filter(d -> Files.exists(d.resolve(Trainer.CONFIG_FILE))).sorted().toList();
    }
    assertTrue(dirs.size() >= 80, "expected the committed runs under " + runs() + ", found " + dirs.size());
    for (Path dir : dirs) {
      TrainingConfig config = TrainingConfig.fromJson(Files.readString(dir.resolve(Trainer.CONFIG_FILE)), dir.toString());
      assertEquals(dir.getFileName().toString(), config.runId(), dir + ": config hash changed meaning");
      assertEquals(config, TrainingConfig.fromJson(config.toJson(), "round trip"), dir + ": JSON round trip");
    }
  }

  @Test
  void pinnedHashesOfTheDefaults() {
    assertEquals("7d56fbda6881", TrainingConfig.builder().build().hash(), "quick BEED seed 1 (committed run)");
    assertEquals("1b86d9a00dbb", TrainingConfig.builder().method(io.github.beedjava.objective.Method.BASELINE).build().hash());
  }
}
