package io.github.beedjava;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The golden fixtures committed under {@code src/test/resources/reference/} (see docs/equivalence.md). */
public final class TestFixtures {
  private TestFixtures() {}

  /** The official code's ResNet18 fixture: width 1/16, 10 classes, batch 8, seed 5, with float64 keys. */
  public static final String RESNET18_OFFICIAL = "resnet18-w0.0625-seed5.npz";

  /**
   * A committed fixture by its path under {@code reference/}; fails (never skips) when it is absent.
   *
   * @param name e.g. {@code resnet18-w0.0625-seed5.npz} or {@code twins/wrn16_4-tofd.npz}
   */
  public static Path reference(String name) {
    URL url = TestFixtures.class.getResource("/reference/" + name);
    if (url == null) {
      throw new IllegalStateException("test fixture reference/" + name + " is not on the test class path; it is committed "
          + "under beed-lib/src/test/resources/reference/ (a clone without it is incomplete)");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(url + ": not a file path", e);
    }
  }

  /** The official ResNet18 fixture. */
  public static Path resnet18Fixture() {
    return reference(RESNET18_OFFICIAL);
  }
}
