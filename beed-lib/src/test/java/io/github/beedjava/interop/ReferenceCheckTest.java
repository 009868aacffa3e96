package io.github.beedjava.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.beedjava.TestFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The implementation reproduces the official PyTorch code's fixture, and the check can fail. */
class ReferenceCheckTest {

  private static Path fixture() {
    Optional<Path> f = TestFixtures.resnet18Fixture();
    assumeTrue(
        f.isPresent() || System.getenv("BEED_REQUIRE_REFERENCE") == null,
        "BEED_REQUIRE_REFERENCE is set but no fixture was found");
    if (f.isEmpty()) {
      throw new org.opentest4j.TestAbortedException("reference fixture not found; set BEED_REFERENCE_DIR");
    }
    return f.get();
  }

  @Test
  void shippedFixturePasses() throws IOException {
    List<ReferenceCheck.Comparison> seen = new ArrayList<>();
    ReferenceCheck.Report report = ReferenceCheck.run(fixture(), seen::add);
    for (ReferenceCheck.Comparison c : report.comparisons()) {
      System.out.println(c.line());
    }
    assertTrue(report.passed(), report.verdict());
    assertTrue(report.verdict().startsWith("reference-check: PASS"));
    // every group of the README is compared
    List<String> groups = report.comparisons().stream().map(ReferenceCheck.Comparison::group).toList();
    for (String g : List.of("eval/logits", "eval/features", "eval/ensemble", "train/logits", "train/features",
        "train/running-stats", "loss/CE", "loss/KD", "loss/EED", "loss/BEED", "grad/CE", "grad/KD", "grad/EED",
        "grad/BEED", "teacher/BEED", "sgd/loss", "sgd/after2/params", "sgd/after2/running-stats")) {
      assertTrue(groups.contains(g), "missing group " + g);
    }
    assertEquals(seen.size(), report.comparisons().size());
  }

  @Test
  void aWrongHyperParameterFails(@TempDir Path dir) throws IOException {
    // γ 1.15 -> 1.2 changes BEED's coefficients: losses, gradients and SGD must no longer match.
    Path tampered = dir.resolve("tampered.npz");
    rewriteScalar(fixture(), tampered, "config/gamma.npy", 1.2);
    ReferenceCheck.Report report = ReferenceCheck.run(tampered, c -> {});
    assertFalse(report.passed());
    assertTrue(report.verdict().startsWith("reference-check: FAIL"));
    assertFalse(report.comparisons().stream().filter(c -> c.group().equals("loss/BEED")).findFirst().orElseThrow().passed());
    assertTrue(report.comparisons().stream().filter(c -> c.group().equals("loss/CE")).findFirst().orElseThrow().passed());
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

  /** Copies an npz, replacing one float64 scalar entry. */
  static void rewriteScalar(Path from, Path to, String entry, double value) throws IOException {
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(from));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(to))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        out.putNextEntry(new ZipEntry(e.getName()));
        if (e.getName().equals(entry)) {
          out.write(scalarNpy(value));
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
