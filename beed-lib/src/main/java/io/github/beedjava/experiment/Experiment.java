package io.github.beedjava.experiment;

import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.objective.Method;
import io.github.beedjava.train.Profile;
import io.github.beedjava.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A paper table or figure as a declarative grid of training configs, one labelled entry per row.
 *
 * @param name results folder name, e.g. {@code table2}
 * @param title human title, e.g. {@code Table 2 (ResNet18)}
 * @param model backbone the experiment is about
 * @param profile compute budget of every entry
 * @param entries the configs, in table order
 */
public record Experiment(String name, String title, String model, Profile profile, List<Entry> entries) {

  /**
   * One row.
   *
   * @param label row label, e.g. {@code BEED}
   * @param method training method
   * @param config the full config of the row
   */
  public record Entry(String label, Method method, TrainingConfig config) {}

  /** Checks the grid is not empty. */
  public Experiment {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(name + ": an experiment needs at least one entry");
    }
    entries = List.copyOf(entries);
  }

  /**
   * The supplement's Table 2 for one network: Baseline (main network alone), CE, KD, EED and BEED
   * with the proposed bottleneck exits, on the profile's dataset and schedule.
   *
   * @param base applied to every row's builder after the profile's defaults (e.g. fewer epochs), or null
   */
  public static Experiment table2(String model, Profile profile, java.util.function.UnaryOperator<TrainingConfig.Builder> base) {
    List<Entry> rows = new ArrayList<>();
    for (Method m : List.of(Method.BASELINE, Method.CE, Method.KD, Method.EED, Method.BEED)) {
      TrainingConfig.Builder b = profile.defaults().model(model).method(m).exits(m.exitsFor(ExitStructure.BOTTLENECK));
      if (base != null) {
        b = base.apply(b);
      }
      rows.add(new Entry(m == Method.BASELINE ? "Baseline" : m.name(), m, b.build()));
    }
    return new Experiment(model.equals("resnet18") ? "table2" : "table2-" + model, "Table 2 (" + model + ")", model, profile, rows);
  }

  /** {@link #table2(String, Profile, java.util.function.UnaryOperator)} with the profile's defaults. */
  public static Experiment table2(String model, Profile profile) {
    return table2(model, profile, null);
  }
}
