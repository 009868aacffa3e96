package io.github.beedjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.config.Profile;
import io.github.beedjava.config.TrainingConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supplement's ImageNet recipe as a profile, trained on a tiny generated image folder. */
class ImagenetProfileTest {
  @TempDir Path dir;

  /** DIR/{train,val}/{a,b}/N.png: random-noise images of assorted sizes. */
  static Path imageFolder(Path root, int perClass) throws IOException {
    SplittableRandom random = new SplittableRandom(4);
    for (String split : List.of("train", "val")) {
      for (String cls : List.of("a", "b")) {
        for (int i = 0; i < perClass; i++) {
          int w = 40 + random.nextInt(40);
          int h = 40 + random.nextInt(40);
          BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              img.setRGB(x, y, random.nextInt(1 << 24));
            }
          }
          Path file = root.resolve(split).resolve(cls).resolve(i + ".png");
          Files.createDirectories(file.getParent());
          ImageIO.write(img, "png", file.toFile());
        }
      }
    }
    return root;
  }

  @Test
  void theProfileHoldsTheRecipeAndScalesItsMilestones() {
    TrainingConfig c = Profile.IMAGENET.defaults().build();
    assertEquals("image-folder", c.dataset());
    assertEquals(1.0, c.width());
    assertTrue(c.network().imagenetStem());
    assertEquals(224, c.data().imageSize());
    assertEquals(256, c.batchSize());
    assertEquals(90, c.epochs());
    assertEquals(List.of(30, 60), c.optimisation().milestones());
    assertEquals(0.1, c.optimisation().lr());
    assertEquals(1e-4, c.optimisation().weightDecay());
    assertEquals(0.9, c.optimisation().momentum());
    assertEquals(List.of(1, 2), Profile.IMAGENET.defaults().epochs(3).build().optimisation().milestones());
    assertEquals(c, TrainingConfig.fromJson(c.toJson(), "imagenet.json"));
  }

  @Test
  void trainsOnAnImageFolder() throws IOException {
    Path data = imageFolder(dir.resolve("images"), 3);
    Path run = dir.resolve("run");
    CliRunner.Result r = CliRunner.run("train", "--profile", "imagenet", "--data-dir", data.toString(), "--width", "0.0625",
        "--image-size", "64", "--epochs", "2", "--quiet", "--out", run.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(run.resolve("summary.json")), r.out());
    String config = Files.readString(run.resolve("config.json"));
    assertTrue(config.contains("\"profile\": \"imagenet\"") && config.contains("\"imagenetStem\": true"), config);
    CliRunner.Result other = CliRunner.run("train", "--profile", "imagenet", "--model", "wrn16_4", "--data-dir", data.toString());
    assertEquals(2, other.code());
    assertTrue(other.err().contains("imagenetStem: only resnet18 and resnet34"), other.err());
    TrainCommand off = new TrainCommand();
    new picocli.CommandLine(off).parseArgs("--profile", "imagenet", "--model", "wrn16_4", "--imagenet-stem", "false");
    assertTrue(!off.config().network().imagenetStem());
  }
}
