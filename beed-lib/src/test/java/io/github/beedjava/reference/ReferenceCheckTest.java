package io.github.beedjava.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.TestFixtures;
import io.github.beedjava.interop.NpzArchive;
import io.github.beedjava.interop.NpzWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The implementation reproduces the official PyTorch code's committed fixture in float and double
 * precision, and the check can fail: wrong hyper-parameters, missing gradients, missing float64 keys.
 */
class ReferenceCheckTest {

  private static Path fixture() {
    return TestFixtures.resnet18Fixture();
  }

  private static final List<String> ALL_GROUPS = List.of("eval/logits", "eval/features", "eval/ensemble", "train/logits",
      "train/features", "train/running-stats", "loss/CE", "loss/KD", "loss/EED", "loss/BEED", "grad/CE", "grad/KD",
      "grad/EED", "grad/BEED", "teacher/BEED", "sgd/loss", "sgd/after2/params", "sgd/after2/running-stats");

  @ParameterizedTest
  @EnumSource(ReferenceCheck.Precision.class)
  void committedOfficialFixturePasses(ReferenceCheck.Precision precision) throws IOException {
    List<ReferenceCheck.Comparison> seen = new ArrayList<>();
    ReferenceCheck.Report report = ReferenceCheck.run(fixture(), precision, seen::add);
    for (ReferenceCheck.Comparison c : report.comparisons()) {
      System.out.println(c.line());
    }
    assertTrue(report.passed(), report.verdict());
    assertTrue(report.verdict().startsWith("reference-check: PASS"));
    List<String> groups = report.comparisons().stream().map(ReferenceCheck.Comparison::group).toList();
    for (String g : ALL_GROUPS) {
      assertTrue(groups.contains(g), "missing group " + g);
      assertTrue(report.group(g).compared(), g + " was not compared");
    }
    assertEquals(seen.size(), report.comparisons().size());
    for (ReferenceCheck.Comparison c : report.comparisons()) {
      // the fixture has float64 keys: every group reports the official float32 code's own error
      assertFalse(Double.isNaN(c.officialError()), c.group());
      if (precision == ReferenceCheck.Precision.DOUBLE) {
        assertEquals(ReferenceCheck.DOUBLE_TOLERANCE, c.tolerance(), c.group());
      } else {
        assertTrue(c.tolerance() >= ReferenceCheck.OFFICIAL_ERROR_FACTOR * c.officialError(), c.group());
      }
    }
  }

  @Test
  void aWrongHyperParameterFailsInBothPrecisions(@TempDir Path dir) throws IOException {
    // γ 1.15 -> 1.2 changes BEED's coefficients: losses, gradients and SGD must no longer match.
    Path tampered = dir.resolve("tampered.npz");
    copyNpz(fixture(), tampered, name -> name.equals("config/gamma.npy") ? scalarNpy(1.2) : null);
    for (ReferenceCheck.Precision p : ReferenceCheck.Precision.values()) {
      ReferenceCheck.Report report = ReferenceCheck.run(tampered, p, c -> {});
      assertFalse(report.passed(), p.name());
      assertTrue(report.verdict().startsWith("reference-check: FAIL"));
      assertFalse(report.group("loss/BEED").passed());
      assertFalse(report.group("grad/BEED").passed());
      assertTrue(report.group("loss/CE").passed());
      assertTrue(report.group("grad/CE").passed());
    }
  }

  @Test
  void objectivesWithoutGradientsAreReportedNotCompared(@TempDir Path dir) throws IOException {
    Path partial = dir.resolve("kd-beed-only.npz");
    copyNpz(fixture(), partial, name -> name.matches("(f64/)?grad/(CE|EED)/.*") ? DROP : null);
    ReferenceCheck.Report report = ReferenceCheck.run(partial, ReferenceCheck.Precision.DOUBLE, c -> {});
    assertTrue(report.passed(), report.verdict());
    assertFalse(report.group("grad/CE").compared());
    assertTrue(report.group("grad/CE").line().contains("not in fixture"), report.group("grad/CE").line());
    assertFalse(report.group("grad/EED").compared());
    assertTrue(report.group("grad/KD").compared());
    assertTrue(report.group("grad/BEED").compared());
  }

  @Test
  void aFixtureWithoutGradientsIsRefused(@TempDir Path dir) throws IOException {
    Path none = dir.resolve("no-grads.npz");
    copyNpz(fixture(), none, name -> name.matches("(f64/)?grad/.*") ? DROP : null);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ReferenceCheck.run(none, ReferenceCheck.Precision.FLOAT, c -> {}));
    assertTrue(e.getMessage().contains("no-grads.npz") && e.getMessage().contains("holds no gradients"), e.getMessage());
  }

  @Test
  void doublePrecisionNeedsFloat64KeysAndFloatFallsBackWithoutThem(@TempDir Path dir) throws IOException {
    Path f32 = dir.resolve("f32-only.npz");
    copyNpz(fixture(), f32, name -> name.startsWith("f64/") ? DROP : null);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ReferenceCheck.run(f32, ReferenceCheck.Precision.DOUBLE, c -> {}));
    assertTrue(e.getMessage().contains("f32-only.npz") && e.getMessage().contains("--precision float"), e.getMessage());
    ReferenceCheck.Report report = ReferenceCheck.run(f32, ReferenceCheck.Precision.FLOAT, c -> {});
    assertTrue(report.passed(), report.verdict());
    assertTrue(Double.isNaN(report.group("grad/BEED").officialError()));
    assertEquals(ReferenceCheck.GRADIENT_TOLERANCE, report.group("grad/BEED").tolerance());
  }

  @Test
  void aFloatCheckAllowsTwiceTheKinkSensitivityOfAGroupAndADoubleCheckNone(@TempDir Path dir) throws IOException {
    // Both references of one BEED gradient moved by 5%: ours is now 4.8% off, the official float32 still exact.
    NpzArchive npz = NpzArchive.read(fixture());
    NpzWriter moved = new NpzWriter();
    for (String k : npz.keys()) {
      moved.put(k, k.endsWith("grad/BEED/linear.weight") ? npz.get(k).mul(1.05) : npz.get(k));
    }
    Path plain = dir.resolve("moved.npz");
    moved.write(plain);
    ReferenceCheck.Comparison without = ReferenceCheck.run(plain, ReferenceCheck.Precision.FLOAT, c -> {}).group("grad/BEED");
    assertFalse(without.passed(), without.line());
    assertTrue(Double.isNaN(without.kink()));

    moved.put("kink/grad/BEED", org.nd4j.linalg.factory.Nd4j.scalar(0.03));
    Path kinked = dir.resolve("moved-kink.npz");
    moved.write(kinked);
    ReferenceCheck.Comparison with = ReferenceCheck.run(kinked, ReferenceCheck.Precision.FLOAT, c -> {}).group("grad/BEED");
    assertTrue(with.passed(), with.line());
    assertEquals(0.03, with.kink(), 1e-12);
    assertEquals(ReferenceCheck.KINK_FACTOR * 0.03, with.tolerance(), 1e-12);
    assertTrue(with.line().contains("kink  3.00e-02"), with.line());
    assertFalse(ReferenceCheck.run(kinked, ReferenceCheck.Precision.DOUBLE, c -> {}).group("grad/BEED").passed());
  }

  @Test
  void unreadableFixturesGiveClearErrors(@TempDir Path dir) throws IOException {
    Path truncated = dir.resolve("truncated.npz");
    byte[] head = new byte[4096];
    try (InputStream in = Files.newInputStream(fixture())) {
      in.readNBytes(head, 0, head.length);
    }
    Files.write(truncated, head);
    IOException e = assertThrows(IOException.class, () -> ReferenceCheck.run(truncated, c -> {}));
    assertTrue(e.getMessage().contains("truncated.npz"), e.getMessage());
    IOException missing = assertThrows(IOException.class, () -> NpzArchive.read(dir.resolve("nope.npz")));
    assertTrue(missing.getMessage().contains("nope.npz: no such file"), missing.getMessage());
  }

  private static final byte[] DROP = new byte[0];

  /** Copies an npz; {@code edit} gives an entry's new bytes, {@link #DROP} to leave it out, or null to keep it. */
  static void copyNpz(Path from, Path to, java.util.function.Function<String, byte[]> edit) throws IOException {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(from));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        byte[] replacement = edit.apply(e.getName());
        if (replacement == DROP) {
          continue;
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        if (replacement != null) {
          out.write(replacement);
        } else {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
  }

  static byte[] scalarNpy(double value) {
    String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
    int pad = 64 - (10 + header.length() + 1) % 64;
    header = header + " ".repeat(pad % 64) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).putDouble(value);
    return b.array();
  }

}
