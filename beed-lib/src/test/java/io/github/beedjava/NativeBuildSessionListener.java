package io.github.beedjava;

import io.github.beedjava.engine.NativeBuild;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Chooses the libnd4j build this CPU runs before any test loads ND4J (as {@code ./beed} does). */
public final class NativeBuildSessionListener implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    NativeBuild.select();
  }
}
