import io.github.beedjava.train.TrainedRun;
import io.github.beedjava.network.MultiExitNetwork;
import java.nio.file.Path;
import java.util.*;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import io.github.beedjava.engine.Workspaces;

/**
 * Probe, not part of the library (bench/HISTORY.md, "Twenty-first pass"): each vertex of the committed
 * `quick` ResNet18 BEED run's inference graph timed on its own, median over passes, and the first
 * segment's sum. With -Dab=true it also times {@link FusedExitProbe} after each pass, against the
 * graph's own two layers it stands for; -Dshow=VERTEX prints that vertex's time per pass; -Drep=VERTEX
 * repeats it 15 times in the last pass; -Dtoggle=PROPERTY sets that switch off in even passes and on in odd
 * ones (e.g. beed.exitBlockFusion) and prints the first segment's median each way and per adjacent pair.
 *
 * <pre>
 * mvn -q -pl beed-lib -DskipTests package
 * javac -cp "beed-lib/target/beed-lib.jar:beed-lib/target/lib/*" --add-modules jdk.incubator.vector -d /tmp/probe \
 *   bench/probes/FusedExitProbe.java bench/probes/VertexTimes.java
 * set -a; . beed-lib/target/launcher/threads.env; set +a
 * java $(cat beed-lib/target/launcher/jvm.flags) -Dab=true -cp "/tmp/probe:beed-lib/target/beed-lib.jar:beed-lib/target/lib/*" \
 *   VertexTimes 256 21
 * </pre>
 */
public class VertexTimes {
  static float[] HEAP, OUT;
  static List<Double> FUSED = new ArrayList<>();

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  public static void main(String[] a) throws Exception {
    io.github.beedjava.engine.NativeBuild.select();
    int batch = Integer.parseInt(a[0]);
    int rounds = Integer.parseInt(a[1]);
    TrainedRun t = TrainedRun.load(Path.of("results/runs/resnet18-bottleneck-beed-fashion-mnist-quick-s1-7d56fbda6881"), null);
    MultiExitNetwork net = t.network();
    INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, batch, 1, 32, 32);
    GraphVertex[] vs = net.inferenceGraph().getVertices();
    int[] order = net.inferenceGraph().topologicalSortOrder();
    String inName = net.inferenceGraph().getConfiguration().getNetworkInputs().get(0);
    Map<String, double[]> times = new LinkedHashMap<>();
    for (int idx : order) if (!vs[idx].isInputVertex()) times.put(vs[idx].getVertexName(), new double[rounds]);
    String toggle = System.getProperty("toggle");
    for (int r = -2; r < rounds; r++) {
      final int rr = r;
      if (toggle != null) {
        System.setProperty(toggle, String.valueOf(r % 2 != 0));  // odd passes on; the first (off) sizes the workspace for the larger need
      }
      net.inInferenceLayout(() -> {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.builder()
          .with(ArrayType.INPUT, "VT", Workspaces.learnedInFirstCycle())
          .with(ArrayType.ACTIVATIONS, "VT", Workspaces.learnedInFirstCycle())
          .with(ArrayType.FF_WORKING_MEM, "VT", Workspaces.learnedInFirstCycle()).build();
        mgr.setHelperWorkspacePointers(new HashMap<>());
        try (MemoryWorkspace ws = mgr.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
          Map<String, INDArray> acts = new HashMap<>();
          acts.put(inName, net.inferenceInput(x));
          for (int idx : order) {
            GraphVertex v = vs[idx];
            if (v.isInputVertex()) continue;
            VertexIndices[] in = v.getInputVertices();
            for (int i = 0; i < in.length; i++) v.setInput(i, acts.get(vs[in[i].getVertexIndex()].getVertexName()), mgr);
            long t0 = System.nanoTime();
            INDArray o = v.doForward(false, mgr);
            Nd4j.getExecutioner().commit();
            double dt = (System.nanoTime() - t0) / 1e6;
            if (rr >= 0) times.get(v.getVertexName())[rr] = dt;
            acts.put(v.getVertexName(), o);
            if (rr == rounds - 1 && System.getProperty("rep", "").equals(v.getVertexName())) {
              double[] rep = new double[15];
              for (int q = 0; q < rep.length; q++) {
                for (int i = 0; i < in.length; i++) v.setInput(i, acts.get(vs[in[i].getVertexIndex()].getVertexName()), mgr);
                long t1 = System.nanoTime();
                v.doForward(false, mgr);
                Nd4j.getExecutioner().commit();
                rep[q] = (System.nanoTime() - t1) / 1e6;
              }
              System.out.println("repeated " + v.getVertexName() + " " + Arrays.toString(rep));
            }
            v.clear();
          }
          if (rr >= 0 && Boolean.getBoolean("ab")) {
            if (HEAP == null) {
              HEAP = acts.get("layer1.1.conv2").dup('c').data().asFloat();
              OUT = new float[batch * 32 * 16 * 16];
              FusedExitProbe.init();
              for (int w = 0; w < 5; w++) java.util.stream.IntStream.range(0, batch).parallel().forEach(n -> FusedExitProbe.image(HEAP, n, OUT));
            }
            long t0 = System.nanoTime();
            java.util.stream.IntStream.range(0, batch).parallel().forEach(n -> FusedExitProbe.image(HEAP, n, OUT));
            FUSED.add((System.nanoTime() - t0) / 1e6);
          }
        }
        return null;
      });
    }
    if (Boolean.getBoolean("ab")) {
      double[] ta = times.get("ex1conv1.conv1"), tb = times.get("ex1conv1.conv2");
      double[] ratio = new double[rounds];
      double[] pair = new double[rounds];
      for (int r = 0; r < rounds; r++) { pair[r] = ta[r] + tb[r]; ratio[r] = pair[r] / FUSED.get(r); }
      double[] f = FUSED.stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(pair); Arrays.sort(f); Arrays.sort(ratio);
      System.out.printf(Locale.ROOT, "in-graph oneDNN pair median %.3f ms, fused Java median %.3f ms, ratio per round (oneDNN/Java) median %.3f [%.3f..%.3f]%n",
          pair[rounds / 2], f[rounds / 2], ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
    }
    if (toggle != null) {
      List<Double> on = new ArrayList<>(), off = new ArrayList<>(), ratio = new ArrayList<>(), shareOn = new ArrayList<>(), shareOff = new ArrayList<>();
      double[] seg = new double[rounds], pass = new double[rounds];
      for (var e : times.entrySet()) {
        String n = e.getKey();
        if (n.startsWith("feature")) continue;
        boolean first = n.startsWith("conv1") || n.startsWith("bn1") || n.startsWith("layer1.") || n.startsWith("ex1");
        for (int r = 0; r < rounds; r++) { pass[r] += e.getValue()[r]; if (first) seg[r] += e.getValue()[r]; }
      }
      for (int r = 0; r < rounds; r++) {
        (r % 2 != 0 ? on : off).add(seg[r]);
        (r % 2 != 0 ? shareOn : shareOff).add(100 * seg[r] / pass[r]);
        if (r % 2 == 1) ratio.add(seg[r - 1] / seg[r]);
      }
      for (var e : times.entrySet()) {  // the vertices whose median moved by 0.1 ms or more
        List<Double> von = new ArrayList<>(), voff = new ArrayList<>();
        for (int r = 0; r < rounds; r++) (r % 2 != 0 ? von : voff).add(e.getValue()[r]);
        if (Math.abs(median(von) - median(voff)) >= 0.1) {
          System.out.printf(Locale.ROOT, "TOGGLE %-28s on %7.3f ms, off %7.3f ms%n", e.getKey(), median(von), median(voff));
        }
      }
      System.out.printf(Locale.ROOT, "TOGGLE %s: segment0 on %.2f ms (share %.1f %%), off %.2f ms (share %.1f %%), off/on per adjacent pair median %.3f [%.3f..%.3f]%n",
          toggle, median(on), median(shareOn), median(off), median(shareOff), median(ratio), Collections.min(ratio), Collections.max(ratio));
    }
    String show = System.getProperty("show");
    if (show != null) {
      double[] d = times.get(show);
      StringBuilder sb = new StringBuilder(show + " per round:");
      for (double v : d) sb.append(String.format(Locale.ROOT, " %.1f", v));
      System.out.println(sb);
    }
    double seg0 = 0, all = 0;
    for (var e : times.entrySet()) {
      double[] d = e.getValue().clone(); Arrays.sort(d);
      String n = e.getKey();
      if (n.startsWith("feature")) continue;
      all += d[d.length / 2];
      if (n.startsWith("conv1") || n.startsWith("bn1") || n.startsWith("layer1.") || n.startsWith("ex1")) seg0 += d[d.length / 2];
    }
    System.out.printf(Locale.ROOT, "SUMMARY segment0 %.2f ms, all %.2f ms, share %.1f %%%n", seg0, all, 100 * seg0 / all);
    double total = 0;
    for (var e : times.entrySet()) {
      double[] d = e.getValue().clone(); Arrays.sort(d);
      double med = d[d.length / 2];
      total += med;
      System.out.printf(Locale.ROOT, "%-32s %7.3f ms  cum %8.3f%n", e.getKey(), med, total);
    }
  }
}
