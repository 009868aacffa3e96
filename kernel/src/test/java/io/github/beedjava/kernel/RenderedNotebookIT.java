package io.github.beedjava.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a reviewer sees: Jupyter Notebook's server on loopback serves the executed Table 2
 * notebook, headless Chromium renders it, and the page holds the table and the figure. The
 * screenshot is kept at target/notebook-table2.png.
 */
class RenderedNotebookIT {

  @Test
  void executedTable2RendersInTheBrowser() throws Exception {
    Path executed = NotebooksIT.executed("table2");
    if (!Files.exists(executed)) {
      new NotebooksIT().everyNotebookExecutesAtSmoke();
    }
    Path served = ExternalTools.target().resolve("it-served");
    Files.createDirectories(served);
    Files.copy(executed, served.resolve("table2.ipynb"), StandardCopyOption.REPLACE_EXISTING);
    ExternalTools.requireTool("jupyter-notebook");
    ExternalTools.requireTool("chromium");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String token = UUID.randomUUID().toString().replace("-", "");
    ProcessBuilder pb = new ProcessBuilder("jupyter-notebook", "--no-browser", "--ip=127.0.0.1", "--port=" + port,
        "--allow-root", "--notebook-dir=" + served, "--NotebookApp.token=" + token)
        .redirectErrorStream(true).redirectOutput(ExternalTools.target().resolve("it-server.log").toFile());
    pb.environment().putAll(ExternalTools.env());
    Process server = pb.start();
    try {
      String base = "http://127.0.0.1:" + port;
      waitForServer(base + "/api?token=" + token, server);
      String url = base + "/notebooks/table2.ipynb?token=" + token;
      Path profile = Files.createTempDirectory("chromium-profile");
      List<String> chromium = List.of("chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=" + profile, "--window-size=1300,2600", "--virtual-time-budget=20000");
      Path dom = ExternalTools.target().resolve("notebook-table2.dom.html");
      Path screenshot = ExternalTools.target().resolve("notebook-table2.png");
      List<String> dump = new java.util.ArrayList<>(chromium);
      dump.addAll(List.of("--dump-dom", url));
      ExternalTools.run(dump, dom, 180);
      List<String> shot = new java.util.ArrayList<>(chromium);
      shot.addAll(List.of("--screenshot=" + screenshot, url));
      ExternalTools.run(shot, ExternalTools.target().resolve("it-chromium.log"), 180);
      String page = Files.readString(dom);
      assertTrue(page.contains("<table") && page.contains("Main (paper)"), "the rendered page has no result table; DOM in " + dom);
      assertTrue(page.contains("data:image/png;base64"), "the rendered page has no PNG figure; DOM in " + dom);
      assertTrue(page.contains("BEED"), "the table rows are missing; DOM in " + dom);
      assertTrue(Files.size(screenshot) > 10_000, "the screenshot is empty: " + screenshot);
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static void waitForServer(String url, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertTrue(server.isAlive(), "jupyter-notebook exited; see target/it-server.log");
      try {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(1000);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(300);
    }
    throw new AssertionError("jupyter-notebook did not start in 60 s; see target/it-server.log");
  }
}
