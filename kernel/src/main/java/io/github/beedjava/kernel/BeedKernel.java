package io.github.beedjava.kernel;

import com.google.gson.annotations.SerializedName;
import io.github.beedjava.engine.NativeBuild;
import io.github.beedjava.report.HtmlReport;
import io.github.beedjava.runtime.BuildInfo;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * The BEED-Java Jupyter kernel: Java cells run in JShell, in the kernel's own JVM, with beed-lib,
 * Tablesaw and XChart on the class path and imported. The value of a cell's last expression is
 * rendered richly (Tablesaw tables as HTML and text, XChart charts and images as PNG); {@link
 * Notebook} has {@code display(...)} and an in-place training progress display.
 */
public final class BeedKernel extends BaseKernel {
  /** Imports every cell sees. */
  static final List<String> IMPORTS = List.of(
      // JShell's API (unlike the jshell tool) starts without the usual imports.
      "import java.io.*;",
      "import java.math.*;",
      "import java.nio.file.*;",
      "import java.util.*;",
      "import java.util.concurrent.*;",
      "import java.util.function.*;",
      "import java.util.stream.*;",
      "import io.github.beedjava.data.*;",
      "import io.github.beedjava.eval.*;",
      "import io.github.beedjava.experiment.*;",
      "import io.github.beedjava.config.*;",
      "import io.github.beedjava.model.*;",
      "import io.github.beedjava.network.*;",
      "import io.github.beedjava.objective.*;",
      "import io.github.beedjava.report.*;",
      "import io.github.beedjava.train.*;",
      "import tech.tablesaw.api.*;",
      "import org.knowm.xchart.*;",
      "import static io.github.beedjava.kernel.Notebook.*;");

  static {
    // Before any ND4J class loads, here and in the notebooks' code: the libnd4j build this CPU runs.
    NativeBuild.select();
  }

  private final CapturingExecutionControl control = new CapturingExecutionControl();
  private final JShell shell;
  private final SourceCodeAnalysis analysis;

  BeedKernel() {
    super(
        "beed-java",
        BuildInfo.version(),
        new LanguageInfo.Builder("java")
            .version(Runtime.version().toString())
            .mimetype("text/x-java-source")
            .fileExtension(".jshell")
            .pygments("java")
            .codemirror("java")
            .build(),
        List.of(new HelpLink("BEED-Java README", "https://github.com/hjdw2/BEED")),
        null,
        new JupyterIO(StandardCharsets.UTF_8),
        new CommManager(),
        new Renderer(),
        null,
        null,
        false,
        new StringStyler.Builder().build());
    registerRenderers(renderer);
    shell = JShell.builder().executionEngine(control.provider(), Map.of()).build();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        shell.addToClasspath(entry);
      }
    }
    analysis = shell.sourceCodeAnalysis();
    for (String imp : IMPORTS) {
      evalRaw(imp);
    }
  }

  /** Tablesaw tables as HTML and text; XChart charts as PNG. */
  static void registerRenderers(Renderer renderer) {
    renderer.createRegistration(Table.class)
        .preferring(MIMEType.TEXT_HTML)
        .supporting(MIMEType.TEXT_PLAIN)
        .register((table, ctx) -> {
          ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> HtmlReport.table(table));
          ctx.renderIfRequested(MIMEType.TEXT_PLAIN, table::printAll);
        });
    renderer.createRegistration(Chart.class)
        .preferring(MIMEType.IMAGE_PNG)
        .register((chart, ctx) -> ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> {
          try {
            return java.util.Base64.getEncoder().encodeToString(
                BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }));
  }

  @Override
  public Object evalRaw(String source) {
    Object value = null;
    String remaining = source;
    while (!remaining.isBlank()) {
      // Lines of the cell before this snippet, so errors name the cell's line.
      int linesBefore = (int) source.substring(0, source.length() - remaining.length()).chars().filter(c -> c == '\n').count();
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
      if (info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE) {
        throw new CellError("Compilation failed: incomplete input: " + firstLine(remaining),
            List.of("Compilation failed: the cell ends in the middle of a statement:", remaining.strip()));
      }
      String snippetSource = info.completeness() == SourceCodeAnalysis.Completeness.EMPTY ? "" : info.source();
      remaining = info.remaining();
      if (snippetSource == null || snippetSource.isBlank()) {
        if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
          break;
        }
        snippetSource = remaining;
        remaining = "";
      }
      value = evalSnippet(snippetSource, linesBefore);
    }
    return value;
  }

  /** Evaluates one snippet; returns its value when it is an expression with a non-void value. */
  private Object evalSnippet(String source, int linesBefore) {
    List<SnippetEvent> events = shell.eval(source);
    Object value = control.takeValue();
    if (control.takeInterrupted()) {
      throw new CellError("Interrupted", List.of("Interrupted: the cell was stopped (the kernel is still usable)."));
    }
    Object result = null;
    for (SnippetEvent event : events) {
      if (event.causeSnippet() != null) {
        continue; // side effects on other snippets
      }
      if (event.exception() != null) {
        throw userError(event.exception());
      }
      Snippet snippet = event.snippet();
      if (event.status() == Snippet.Status.REJECTED) {
        throw compileError(snippet, linesBefore);
      }
      boolean isExpression = snippet.kind() == Snippet.Kind.EXPRESSION
          || (snippet.kind() == Snippet.Kind.VAR && snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND);
      if (isExpression && event.value() != null && !"void".equals(typeName(snippet))) {
        result = value;
      }
    }
    return result;
  }

  private static String typeName(Snippet snippet) {
    if (snippet instanceof jdk.jshell.VarSnippet v) {
      return v.typeName();
    }
    if (snippet instanceof jdk.jshell.ExpressionSnippet e) {
      return e.typeName();
    }
    return "";
  }

  private CellError compileError(Snippet snippet, int linesBefore) {
    List<String> lines = new ArrayList<>();
    String first = null;
    for (Diag d : (Iterable<Diag>) analysisDiagnostics(snippet)::iterator) {
      if (!d.isError()) {
        continue;
      }
      String src = snippet.source();
      int line = (int) src.substring(0, (int) Math.min(src.length(), Math.max(0, d.getStartPosition()))).chars().filter(c -> c == '\n').count() + 1;
      String msg = "line " + (linesBefore + line) + ": " + d.getMessage(null).replaceAll("\\s*\\n\\s*", "; ");
      if (first == null) {
        first = msg;
      }
      lines.add(msg);
      String[] srcLines = src.split("\n", -1);
      if (line - 1 < srcLines.length) {
        lines.add("    " + srcLines[line - 1]);
      }
    }
    if (first == null) {
      first = "the snippet was rejected";
    }
    lines.add(0, "Compilation failed: " + first);
    return new CellError("Compilation failed: " + first, lines);
  }

  private java.util.stream.Stream<Diag> analysisDiagnostics(Snippet snippet) {
    return shell.diagnostics(snippet);
  }

  private static CellError userError(Exception e) {
    List<String> lines = new ArrayList<>();
    String header;
    if (e instanceof EvalException ee) {
      header = ee.getExceptionClassName() + (ee.getMessage() == null ? "" : ": " + ee.getMessage());
    } else if (e instanceof UnresolvedReferenceException ure) {
      header = "Unresolved reference: " + ure.getSnippet().source().strip() + " uses something that is not defined";
    } else {
      header = e.getClass().getName() + ": " + e.getMessage();
    }
    lines.add(header);
    for (StackTraceElement el : e.getStackTrace()) {
      lines.add("    at " + el);
    }
    Throwable cause = e.getCause();
    while (cause != null) {
      String name = cause instanceof EvalException ce ? ce.getExceptionClassName() : cause.getClass().getName();
      lines.add("Caused by: " + name + ": " + cause.getMessage());
      for (StackTraceElement el : cause.getStackTrace()) {
        lines.add("    at " + el);
      }
      cause = cause.getCause();
    }
    return new CellError(header, lines);
  }

  private static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl) + " ...";
  }

  @Override
  public List<String> formatError(Throwable e) {
    return e instanceof CellError ce ? ce.traceback() : super.formatError(e);
  }

  @Override
  public DisplayData inspect(String code, int at, boolean extraDetail) {
    List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(code, at, true);
    if (docs.isEmpty()) {
      // JShell documents calls, not bare names: "Math.max|" is looked up as "Math.max(|".
      String call = code.substring(0, at) + "(";
      docs = analysis.documentation(call, call.length(), true);
    }
    if (docs.isEmpty()) {
      return null;
    }
    StringBuilder s = new StringBuilder();
    for (SourceCodeAnalysis.Documentation d : docs) {
      s.append(d.signature()).append('\n');
      if (d.javadoc() != null) {
        s.append(d.javadoc()).append('\n');
      }
    }
    return new DisplayData(s.toString().strip());
  }

  @Override
  public ReplacementOptions complete(String code, int at) {
    int[] anchor = new int[1];
    List<SourceCodeAnalysis.Suggestion> suggestions = analysis.completionSuggestions(code, at, anchor);
    if (suggestions.isEmpty()) {
      return null;
    }
    List<String> options = suggestions.stream().map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList();
    return new ReplacementOptions(options, anchor[0], at);
  }

  @Override
  public String isComplete(String code) {
    SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(code);
    return switch (info.completeness()) {
      case COMPLETE, COMPLETE_WITH_SEMI, EMPTY -> info.remaining().isBlank() ? IS_COMPLETE_YES : isComplete(info.remaining());
      case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
      case UNKNOWN -> IS_COMPLETE_BAD;
    };
  }

  @Override
  public void interrupt() {
    control.interrupt();
  }

  @Override
  public void onShutdown(boolean isRestarting) {
    super.onShutdown(isRestarting);
    shell.close();
  }

  /** kernel_info with {@code status: ok}, which jjava-jupyter 1.0-a6 leaves out. */
  @Override
  protected void handleKernelInfoRequest(ShellReplyEnvironment env, Message<KernelInfoRequest> request) {
    env.setBusyDeferIdle();
    env.reply(new CompleteKernelInfoReply(Header.PROTOCOL_VERISON, name, version, getLanguageInfo(), getBanner(), getHelpLinks()));
  }

  @Override
  public String getBanner() {
    return "BEED-Java " + version + " (Java " + Runtime.version() + ", DL4J " + BuildInfo.dl4jVersion() + ")";
  }

  /** KernelInfoReply plus the status field the messaging spec requires. */
  static final class CompleteKernelInfoReply extends KernelInfoReply {
    @SerializedName("status")
    final String status = "ok";

    CompleteKernelInfoReply(String protocol, String name, String version, LanguageInfo info, String banner, List<HelpLink> links) {
      super(protocol, name, version, info, banner, links);
    }
  }

  /**
   * Starts the kernel on a Jupyter connection file.
   *
   * @param args the connection file
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: BeedKernel CONNECTION_FILE");
      System.exit(2);
    }
    KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
    JupyterConnection connection = new JupyterConnection(props);
    BeedKernel kernel = new BeedKernel();
    kernel.onStartup();
    kernel.becomeHandlerForConnection(connection);
    connection.connect();
    connection.waitUntilClose();
    kernel.onShutdown(false);
  }
}
