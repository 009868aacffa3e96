package io.github.beedjava.experiment;

import io.github.beedjava.config.Profile;
import io.github.beedjava.config.TrainingConfig;
import io.github.beedjava.model.ExitStructure;
import io.github.beedjava.model.Models;
import io.github.beedjava.objective.Method;
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
public record Experiment(Kind kind, String name, String title, String model, Profile profile, List<Entry> entries) {

  /** Which paper table an experiment reproduces (decides its renderings). */
  public enum Kind {
    /** Supplement Table 1: main-network accuracy, exit structure × method. */
    TABLE1,
    /** Supplement Table 2: every classifier and the ensemble, one row per method. */
    TABLE2,
    /** Supplement Fig. 2: BEED over a grid of λ and γ. */
    FIGURE2
  }

  /** The official λ and γ (marked in Fig. 2). */
  public static final double OFFICIAL_LAMBDA = 1.6;
  public static final double OFFICIAL_GAMMA = 1.15;

  /**
   * The supplement's Fig. 2 for a network: BEED trained for every λ × γ of the grid (bottleneck
   * exits). A γ that would make a CE coefficient ≤ 0 (γ ≥ 2^(1/(K−1))) is refused up front.
   */
  public static Experiment figure2(String model, Profile profile, double[] lambdas, double[] gammas,
      java.util.function.UnaryOperator<TrainingConfig.Builder> base) {
    if (lambdas.length == 0 || gammas.length == 0) {
      throw new IllegalArgumentException("figure2: the λ and γ grids need at least one value each");
    }
    List<Entry> rows = new ArrayList<>();
    for (double gamma : gammas) {
      for (double lambda : lambdas) {
        TrainingConfig.Builder b = profile.defaults().model(model).method(Method.BEED).exits(ExitStructure.BOTTLENECK)
            .lambda(lambda).gamma(gamma);
        if (base != null) {
          b = base.apply(b);
        }
        TrainingConfig c;
        try {
          c = b.build();
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("figure2 grid: λ " + lambda + ", γ " + gamma + " is not a valid BEED setting: "
              + e.getMessage() + " (BEED's CE weight of exit k is 2 − γ^(K−k), which must stay positive)", e);
        }
        rows.add(new Entry(String.format(java.util.Locale.ROOT, "λ %s, γ %s", lambda, gamma), Method.BEED, c));
      }
    }
    return new Experiment(Kind.FIGURE2, model.equals("resnet18") ? "figure2" : "figure2-" + model,
        "Figure 2 (" + model + ", BEED, λ × γ)", model, profile, rows);
  }

  /** The default Fig. 2 grid: λ 1.0, 1.6, 2.2 and γ 1.0, 1.15, 1.25 (the official 1.6, 1.15 included). */
  public static Experiment figure2(String model, Profile profile) {
    return figure2(model, profile, new double[] {1.0, 1.6, 2.2}, new double[] {1.0, 1.15, 1.25}, null);
  }

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
      TrainingConfig.Builder b = profile.defaults().model(model).method(m).exits(m.exitsFor(Models.defaultExits(model)));
      if (base != null) {
        b = base.apply(b);
      }
      rows.add(new Entry(m == Method.BASELINE ? "Baseline" : m.name(), m, b.build()));
    }
    return new Experiment(Kind.TABLE2, model.equals("resnet18") ? "table2" : "table2-" + model, "Table 2 (" + model + ")", model, profile, rows);
  }

  /** The exit structures of Table 1, in the paper's row order (the proposed one last). */
  public static final List<ExitStructure> TABLE1_EXITS =
      List.of(ExitStructure.LCT, ExitStructure.BYOT, ExitStructure.TOFD, ExitStructure.BOTTLENECK);

  /**
   * The supplement's Table 1 for one network: CE, KD, EED and BEED for every implemented exit
   * structure (rows), main-network accuracy.
   *
   * @param base applied to every entry's builder after the profile's defaults, or null
   */
  public static Experiment table1(String model, Profile profile, java.util.function.UnaryOperator<TrainingConfig.Builder> base) {
    List<Entry> rows = new ArrayList<>();
    for (ExitStructure exits : TABLE1_EXITS) {
      for (Method m : List.of(Method.CE, Method.KD, Method.EED, Method.BEED)) {
        TrainingConfig.Builder b = profile.defaults().model(model).method(m).exits(exits);
        if (base != null) {
          b = base.apply(b);
        }
        rows.add(new Entry(exitLabel(exits) + " / " + m.name(), m, b.build()));
      }
    }
    return new Experiment(Kind.TABLE1, model.equals("resnet18") ? "table1" : "table1-" + model, "Table 1 (" + model + ")", model, profile, rows);
  }

  /** The paper's row label of an exit structure (the proposed one is "Proposed"). */
  public static String exitLabel(ExitStructure exits) {
    return exits == ExitStructure.BOTTLENECK ? "Proposed" : exits.name();
  }

  /** The same grid with every entry's seed set to {@code seed} (seed 1 is the profile's default). */
  public Experiment forSeed(long seed) {
    List<Entry> rows = new ArrayList<>();
    for (Entry e : entries) {
      rows.add(new Entry(e.label(), e.method(), e.config().toBuilder().seed(seed).build()));
    }
    return new Experiment(kind, name, title, model, profile, rows);
  }

  /** {@link #table2(String, Profile, java.util.function.UnaryOperator)} with the profile's defaults. */
  public static Experiment table2(String model, Profile profile) {
    return table2(model, profile, null);
  }
}
