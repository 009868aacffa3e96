package io.github.beedjava;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Locates the golden fixtures of the official implementation (too large to commit, 31 MB). */
public final class TestFixtures {
  private TestFixtures() {}

  /** The shipped fixture's file name. */
  public static final String RESNET18_W025 = "resnet18-w0.25-seed1.npz";

  /**
   * The reference directory: {@code -Dbeed.reference.dir}, {@code $BEED_REFERENCE_DIR},
   * {@code ../shared/reference} next to the repository, or {@code /work/shared/reference}.
   */
  public static Optional<Path> referenceDir() {
    List<String> candidates = new ArrayList<>();
    candidates.add(System.getProperty("beed.reference.dir"));
    candidates.add(System.getenv("BEED_REFERENCE_DIR"));
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      candidates.add(p.resolve("../shared/reference").toString());
    }
    candidates.add("/work/shared/reference");
    return candidates.stream()
        .filter(s -> s != null && !s.isBlank())
        .map(s -> Path.of(s).normalize())
        .filter(p -> Files.isRegularFile(p.resolve(RESNET18_W025)))
        .findFirst();
  }

  /** The shipped ResNet18 width-1/4 fixture, if present. */
  public static Optional<Path> resnet18Fixture() {
    return referenceDir().map(d -> d.resolve(RESNET18_W025));
  }
}
