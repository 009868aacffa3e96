package io.github.beedjava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kernel's evaluation, errors, rendering and completion, without a Jupyter connection. */
class BeedKernelTest {
  static BeedKernel kernel;

  @BeforeAll
  static void start() {
    kernel = new BeedKernel();
    kernel.onStartup();
  }

  @AfterAll
  static void stop() {
    kernel.onShutdown(false);
  }

  @Test
  void cellsKeepStateAndReturnTheLastExpressionAsAnObject() {
    assertNull(kernel.evalRaw("int x = 20; int y = 22;"));
    assertEquals(42, kernel.evalRaw("x + y"));
    Object list = kernel.evalRaw("List.of(1, 2)");
    assertEquals(java.util.List.of(1, 2), list);
    assertNull(kernel.evalRaw("System.out.print(\"\")"), "void calls have no value");
  }

  @Test
  void beedPackagesAreImported() {
    Object config = kernel.evalRaw("Profile.SMOKE.defaults().build()");
    assertEquals("io.github.beedjava.config.TrainingConfig", config.getClass().getName());
    assertEquals(5, kernel.evalRaw("Experiment.table2(\"resnet18\", Profile.SMOKE).entries().size()"));
  }

  @Test
  void compileErrorsNameTheLine() {
    CellError e = assertThrows(CellError.class, () -> kernel.evalRaw("int a = 1;\n\nString s = 2;"));
    assertTrue(e.getMessage().startsWith("Compilation failed: line 3: incompatible types"), e.getMessage());
    assertTrue(e.traceback().stream().anyMatch(l -> l.contains("String s = 2;")), e.traceback().toString());
  }

  @Test
  void exceptionsKeepTheUsersClassAndMessage() {
    CellError e = assertThrows(CellError.class, () -> kernel.evalRaw("throw new IllegalStateException(\"demo failure\");"));
    assertEquals("java.lang.IllegalStateException: demo failure", e.getMessage());
    CellError bad = assertThrows(CellError.class, () -> kernel.evalRaw("Profile.parse(\"huge\")"));
    assertTrue(bad.getMessage().contains("profile: unknown profile 'huge'"), bad.getMessage());
  }

  @Test
  void incompleteInputIsReportedAndDetected() {
    assertThrows(CellError.class, () -> kernel.evalRaw("for (int i = 0; i < 3; i++) {"));
    assertEquals(BaseKernel.IS_COMPLETE_YES, kernel.isComplete("1 + 1"));
    assertEquals("    ", kernel.isComplete("if (true) {"));
  }

  @Test
  void tablesRenderAsHtmlAndTextChartsAsPng() {
    DisplayData table = kernel.getRenderer().render(kernel.evalRaw(
        "Table.create(\"t\", DoubleColumn.create(\"acc\", new double[] {80.5}))"));
    assertTrue(table.getData(MIMEType.TEXT_HTML).toString().contains("<table"));
    assertTrue(table.getData(MIMEType.TEXT_PLAIN).toString().contains("80.5"));
    DisplayData chart = kernel.getRenderer().render(kernel.evalRaw(
        "var c = new CategoryChartBuilder().build(); c.addSeries(\"s\", List.of(\"a\"), List.of(1)); c"));
    assertTrue(chart.getData(MIMEType.IMAGE_PNG).toString().startsWith("iVBOR"), "not a base64 PNG");
  }

  @Test
  void completionSuggestsIdentifiers() {
    var options = kernel.complete("Syste", 5);
    assertTrue(options.getReplacements().contains("System"), options.getReplacements().toString());
    assertEquals(0, options.getSourceStart());
  }
}
