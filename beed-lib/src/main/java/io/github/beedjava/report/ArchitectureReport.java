package io.github.beedjava.report;

import io.github.beedjava.model.ArchitectureRow;
import io.github.beedjava.model.ArchitectureSummary;
import io.github.beedjava.model.Blueprint;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.ModelConfig;
import io.github.beedjava.model.Models;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Fig. 1 as tables and a chart: generated architectures, their costs, and the supplement's rows beside them. */
public final class ArchitectureReport {
  private ArchitectureReport() {}

  /** The blueprint of a network with the given exits at full width and CIFAR-100's 100 classes. */
  public static Blueprint blueprint(String network, ExitStructure exits) {
    return Models.blueprint(ModelConfig.cifar(network, exits, 1.0, 100));
  }

  /** The Fig. 1-style rows of a blueprint. */
  public static Table rows(Blueprint b) {
    Table t = Table.create(b.config().architecture() + " + " + b.config().exits().cliName() + " exits — architecture");
    StringColumn section = StringColumn.create("part");
    StringColumn op = StringColumn.create("operator");
    StringColumn ch = StringColumn.create("channel");
    StringColumn rep = StringColumn.create("repeat");
    StringColumn st = StringColumn.create("stride");
    StringColumn exp = StringColumn.create("expansion");
    for (ArchitectureRow r : b.rows()) {
      section.append(r.section());
      op.append(r.operator());
      ch.append(dash(r.channels()));
      rep.append(dash(r.repeat()));
      st.append(dash(r.stride()));
      exp.append(dash(r.expansion()));
    }
    return t.addColumns(section, op, ch, rep, st, exp);
  }

  /** Parameters and MFLOPs of every classifier (backbone up to the exit plus the exit). */
  public static Table costs(Blueprint b) {
    ArchitectureSummary s = new ArchitectureSummary(b);
    Table t = Table.create(b.config().architecture() + " + " + b.config().exits().cliName() + " exits — cost per classifier (32x32 input)");
    StringColumn name = StringColumn.create("classifier");
    DoubleColumn params = DoubleColumn.create("parameters (M)");
    DoubleColumn mflops = DoubleColumn.create("MFLOPs");
    for (ArchitectureSummary.ClassifierCost c : s.classifiers()) {
      name.append(c.name());
      params.append(Math.round(c.params() / 1e4) / 100.0);
      mflops.append(Math.round(c.mflops() * 10) / 10.0);
    }
    return t.addColumns(name, params, mflops);
  }

  /**
   * What leaving at every classifier costs when the network runs block by block, earlier
   * classifiers included (see {@link ArchitectureSummary#leavingCosts}): parameters, multiply-accumulates,
   * MFLOPs, and the op count MSDNet's original counter reports, for comparison with MSDNet's literature.
   */
  public static Table leavingCosts(Blueprint b) {
    Table t = Table.create(b.config().architecture() + " + " + b.config().exits().cliName()
        + " exits — cost of leaving at each classifier (32x32 input, block by block)");
    StringColumn name = StringColumn.create("leaving at");
    LongColumn params = LongColumn.create("parameters");
    LongColumn macs = LongColumn.create("multiply-accumulates");
    DoubleColumn mflops = DoubleColumn.create("MFLOPs");
    LongColumn counter = LongColumn.create("MSDNet counter ops");
    for (ArchitectureSummary.ClassifierCost c : new ArchitectureSummary(b).leavingCosts()) {
      name.append(c.name());
      params.append(c.params());
      macs.append(c.macs());
      mflops.append(Math.round(c.mflops() * 100) / 100.0);
      counter.append(c.counterOps());
    }
    return t.addColumns(name, params, macs, mflops, counter);
  }

  /**
   * The supplement's Fig. 1 rows beside the generated ones (same part, same position), with a
   * {@code same} column; rows only one side has show "-" on the other.
   */
  public static Table comparison(Blueprint b) {
    String network = b.config().architecture();
    List<ArchitectureRow> paper = PaperFigure1.rows(network);
    List<ArchitectureRow> mine = b.rows();
    Table t = Table.create(network + " — supplement Fig. 1 beside the generated architecture");
    StringColumn part = StringColumn.create("part");
    StringColumn p = StringColumn.create("Fig. 1 (paper)");
    StringColumn g = StringColumn.create("generated");
    StringColumn same = StringColumn.create("same");
    List<String> sections = new ArrayList<>();
    for (ArchitectureRow r : paper) {
      if (!sections.contains(r.section())) {
        sections.add(r.section());
      }
    }
    for (ArchitectureRow r : mine) {
      if (!sections.contains(r.section())) {
        sections.add(r.section());
      }
    }
    for (String section : sections) {
      List<ArchitectureRow> ps = paper.stream().filter(r -> r.section().equals(section)).toList();
      List<ArchitectureRow> ms = mine.stream().filter(r -> r.section().equals(section)).toList();
      for (int i = 0; i < Math.max(ps.size(), ms.size()); i++) {
        ArchitectureRow a = i < ps.size() ? ps.get(i) : null;
        ArchitectureRow c = i < ms.size() ? ms.get(i) : null;
        part.append(section);
        p.append(a == null ? "-" : describe(a));
        g.append(c == null ? "-" : describe(c));
        if (a != null && a.equals(c)) {
          same.append("yes");
        } else {
          same.append(a == null ? "NO" : PaperFigure1.knownDifference(network, a).map(why -> "known: " + why).orElse("NO"));
        }
      }
    }
    return t.addColumns(part, p, g, same);
  }

  /** Number of rows of {@link #comparison} that differ without a known explanation. */
  public static int differences(Blueprint b) {
    Table c = comparison(b);
    return (int) c.stringColumn("same").asList().stream().filter(s -> s.equals("NO")).count();
  }

  /** Number of rows of {@link #comparison} that differ for a documented reason. */
  public static int explainedDifferences(Blueprint b) {
    Table c = comparison(b);
    return (int) c.stringColumn("same").asList().stream().filter(s -> s.startsWith("known")).count();
  }

  /** MFLOPs against parameters of every classifier, one series per network. */
  public static XYChart costChart(List<Blueprint> blueprints) {
    XYChart chart = new XYChartBuilder().width(820).height(480)
        .title("Cost of every classifier (Fig. 1 networks, 32x32 input)")
        .xAxisTitle("parameters (M)").yAxisTitle("MFLOPs per image").build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    for (Blueprint b : blueprints) {
      ArchitectureSummary s = new ArchitectureSummary(b);
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (ArchitectureSummary.ClassifierCost c : s.classifiers()) {
        x.add(c.params() / 1e6);
        y.add(c.mflops());
      }
      chart.addSeries(b.config().architecture() + " (" + b.config().exits().cliName() + ")", x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    return chart;
  }

  private static String describe(ArchitectureRow r) {
    StringBuilder s = new StringBuilder(r.operator());
    if (r.channels() >= 0) {
      s.append(", ").append(r.channels()).append(" ch");
    }
    if (r.repeat() >= 0) {
      s.append(", x").append(r.repeat());
    }
    if (r.stride() >= 0) {
      s.append(", s").append(r.stride());
    }
    if (r.expansion() >= 0) {
      s.append(", e").append(r.expansion());
    }
    return s.toString();
  }

  private static String dash(int v) {
    return v < 0 ? "-" : Integer.toString(v);
  }
}
