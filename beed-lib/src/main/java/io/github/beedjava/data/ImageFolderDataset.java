package io.github.beedjava.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An ImageNet-style class-folder split ({@code root/<class>/<image>.jpg|png}), decoded on demand.
 * Classes are the sub-folder names in sorted order (torchvision's ImageFolder). Training images
 * get RandomResizedCrop (scale 0.08–1, aspect 3/4–4/3) and a horizontal flip; test images are
 * resized so the shorter side is crop·256/224 and centre-cropped (docs/method.md, ImageNet).
 */
public final class ImageFolderDataset implements ImageDataset {
  private final String name;
  private final List<Path> files;
  private final int[] labels;
  private final List<String> classes;
  private final int crop;
  private final float[][] tables;

  private ImageFolderDataset(String name, List<Path> files, int[] labels, List<String> classes, int crop) {
    this.name = name;
    this.files = files;
    this.labels = labels;
    this.classes = classes;
    this.crop = crop;
    this.tables = new float[3][];
    for (int c = 0; c < 3; c++) {
      tables[c] = Normalization.IMAGENET.table(c);
    }
  }

  /**
   * Indexes a split folder.
   *
   * @param root folder with one sub-folder per class
   * @param crop output size (224 for ImageNet)
   */
  public static ImageFolderDataset open(Path root, int crop, String name) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException(root + ": not a folder; an image-folder dataset needs root/<class>/<image>.jpg|png");
    }
    if (crop < 8) {
      throw new IllegalArgumentException("crop: must be >= 8, got " + crop);
    }
    List<String> classes;
    try (Stream<Path> s = Files.list(root)) {
      classes = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
    if (classes.size() < 2) {
      throw new IOException(root + ": found " + classes.size() + " class folders, need at least 2 (root/<class>/<image>)");
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      try (Stream<Path> s = Files.list(root.resolve(classes.get(c)))) {
        for (Path p : s.filter(ImageFolderDataset::isImage).sorted().toList()) {
          files.add(p);
          labels.add(c);
        }
      }
    }
    if (files.isEmpty()) {
      throw new IOException(root + ": no .jpg, .jpeg or .png images in the class folders");
    }
    return new ImageFolderDataset(name, List.copyOf(files), labels.stream().mapToInt(Integer::intValue).toArray(), classes, crop);
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
  }

  /** Class names in label order. */
  public List<String> classes() {
    return classes;
  }

  /** Image files in index order. */
  public List<Path> files() {
    return files;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public int numClasses() {
    return classes.size();
  }

  @Override
  public int channels() {
    return 3;
  }

  @Override
  public int imageSize() {
    return crop;
  }

  @Override
  public int label(int index) {
    return labels[index];
  }

  @Override
  public void write(int index, SplittableRandom augment, float[] dest, int offset) {
    BufferedImage img = decode(files.get(index));
    int w = img.getWidth();
    int h = img.getHeight();
    int x0;
    int y0;
    int cw;
    int ch;
    boolean flip = false;
    if (augment != null) {
      int[] box = randomResizedCrop(w, h, augment);
      x0 = box[0];
      y0 = box[1];
      cw = box[2];
      ch = box[3];
      flip = augment.nextDouble() < 0.5;
    } else {
      // Resize shorter side to crop*256/224, centre crop: the same region at source scale.
      double scale = (crop * 256.0 / 224.0) / Math.min(w, h);
      cw = Math.max(1, (int) Math.round(crop / scale));
      ch = cw;
      x0 = Math.max(0, (w - cw) / 2);
      y0 = Math.max(0, (h - ch) / 2);
      cw = Math.min(cw, w);
      ch = Math.min(ch, h);
    }
    BufferedImage out = new BufferedImage(crop, crop, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, crop, crop, x0, y0, x0 + cw, y0 + ch, null);
    g.dispose();
    int plane = crop * crop;
    for (int y = 0; y < crop; y++) {
      for (int x = 0; x < crop; x++) {
        int rgb = out.getRGB(flip ? crop - 1 - x : x, y);
        int o = offset + y * crop + x;
        dest[o] = tables[0][(rgb >> 16) & 0xff];
        dest[o + plane] = tables[1][(rgb >> 8) & 0xff];
        dest[o + 2 * plane] = tables[2][rgb & 0xff];
      }
    }
  }

  /** torchvision's RandomResizedCrop box: {x, y, width, height}; falls back to the centre crop. */
  private static int[] randomResizedCrop(int w, int h, SplittableRandom rng) {
    double area = (double) w * h;
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * rng.nextDouble(0.08, 1.0);
      double ratio = Math.exp(rng.nextDouble(Math.log(3.0 / 4), Math.log(4.0 / 3)));
      int cw = (int) Math.round(Math.sqrt(target * ratio));
      int ch = (int) Math.round(Math.sqrt(target / ratio));
      if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
        return new int[] {rng.nextInt(w - cw + 1), rng.nextInt(h - ch + 1), cw, ch};
      }
    }
    int s = Math.min(w, h);
    return new int[] {(w - s) / 2, (h - s) / 2, s, s};
  }

  private static BufferedImage decode(Path file) {
    try {
      BufferedImage img = ImageIO.read(file.toFile());
      if (img == null) {
        throw new IOException(file + ": not a readable JPEG or PNG image; remove or replace it");
      }
      return img;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }
}
