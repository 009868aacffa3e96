package io.github.beedjava.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.Models;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class ArchitectureReportTest {

  @Test
  void implementedNetworksEqualTheSupplementsFigure1() {
    for (String network : Models.namesWith(ExitStructure.BOTTLENECK)) {  // Fig. 1's six; MSDNet is not in it
      var b = ArchitectureReport.blueprint(network, ExitStructure.BOTTLENECK);
      Table c = ArchitectureReport.comparison(b);
      assertEquals(0, ArchitectureReport.differences(b), network + " differs from Fig. 1:\n" + c.printAll());
      assertTrue(c.rowCount() >= 12, network + ": " + c.rowCount() + " rows");
      assertEquals(network.equals("efficientnet_b0") ? 1 : 0, ArchitectureReport.explainedDifferences(b), c.printAll());
    }
  }

  @Test
  void aChangedArchitectureShowsUpAsADifference() {
    // LCT exits are not the figure's bottleneck exits: the comparison must say so.
    assertTrue(ArchitectureReport.differences(ArchitectureReport.blueprint("resnet18", ExitStructure.LCT)) > 0);
  }

  @Test
  void costsAndChartCoverEveryClassifier() {
    var b = ArchitectureReport.blueprint("resnet18", ExitStructure.BOTTLENECK);
    Table costs = ArchitectureReport.costs(b);
    assertEquals(List.of("Exit1", "Exit2", "Exit3", "Main"), costs.stringColumn("classifier").asList());
    assertEquals(11.22, costs.doubleColumn("parameters (M)").get(3), 1e-9);
    assertEquals(1110.9, costs.doubleColumn("MFLOPs").get(3), 1e-9);
    assertEquals(1, ArchitectureReport.costChart(List.of(b)).getSeriesMap().size());
    assertTrue(PaperFigure1.networks().containsAll(List.of("resnet18", "resnet34", "wrn16_4", "wrn28_4", "mobilenetv2", "efficientnet_b0")));
  }
}
