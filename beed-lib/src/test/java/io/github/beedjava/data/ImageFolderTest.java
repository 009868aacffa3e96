package io.github.beedjava.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class ImageFolderTest {
  @TempDir Path root;

  private void image(Path file, Color colour, int w, int h) throws IOException {
    Files.createDirectories(file.getParent());
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, colour.getRGB());
      }
    }
    ImageIO.write(img, "png", file.toFile());
  }

  private void tree() throws IOException {
    for (String split : List.of("train", "val")) {
      image(root.resolve(split + "/cat/a.png"), Color.RED, 40, 30);
      image(root.resolve(split + "/cat/b.png"), Color.RED, 30, 50);
      image(root.resolve(split + "/dog/c.png"), Color.BLUE, 64, 64);
      Files.writeString(root.resolve(split + "/dog/notes.txt"), "not an image");
    }
  }

  @Test
  void readsClassFoldersInSortedOrderAtTheCropSize() throws IOException {
    tree();
    DataSplits s = Datasets.load("image-folder", root, 0, 0, 24);
    assertEquals(3, s.train().size());
    assertEquals(2, s.numClasses());
    assertEquals(List.of("cat", "dog"), ((ImageFolderDataset) s.train()).classes());
    BatchLoader.Batch test = BatchLoader.load(s.test(), null, 0, 3, null, DataType.FLOAT);
    assertArrayEquals(new long[] {3, 3, 24, 24}, test.input().shape());
    assertArrayEquals(new int[] {0, 0, 1}, test.labels());
    // a pure red image normalises to ((1 - 0.485)/0.229, (0 - 0.456)/0.224, (0 - 0.406)/0.225)
    assertEquals((1 - 0.485) / 0.229, test.input().getDouble(0, 0, 5, 5), 1e-5);
    assertEquals(-0.456 / 0.224, test.input().getDouble(0, 1, 5, 5), 1e-5);
    BatchLoader.Batch a = BatchLoader.load(s.train(), new int[] {2, 0, 1}, 0, 3, new SplittableRandom(3), DataType.FLOAT);
    BatchLoader.Batch b = BatchLoader.load(s.train(), new int[] {2, 0, 1}, 0, 3, new SplittableRandom(3), DataType.FLOAT);
    assertEquals(a.input(), b.input());
  }

  @Test
  void damagedImagesAndMismatchedClassesAreClearErrors() throws IOException {
    tree();
    Path bad = root.resolve("train/cat/a.png");
    Files.write(bad, new byte[] {1, 2, 3});
    DataSplits s = Datasets.load("image-folder", root, 0, 0, 24);
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> BatchLoader.load(s.train(), null, 0, 1, null, DataType.FLOAT));
    assertTrue(e.getMessage().contains("a.png"), e.getMessage());

    image(root.resolve("val/bird/x.png"), Color.GREEN, 10, 10);
    IOException m = assertThrows(IOException.class, () -> Datasets.load("image-folder", root, 0, 0, 24));
    assertTrue(m.getMessage().contains("different class folders"), m.getMessage());
  }
}
