import jdk.incubator.vector.*;
import java.util.*;
import java.util.stream.IntStream;

/**
 * Probe, not part of the library (bench/HISTORY.md, "Twenty-first pass"): the first exit block's 1x1
 * convolution (16 -> 32 channels, bias, ReLU) and its 3x3 stride-2 convolution (32 -> 32, bias, ReLU)
 * computed per image, the 32-channel map between them in a zero-bordered scratch that stays in the
 * core's cache. Random weights; input [N][32][32][16], output blocked [N][2][16][16][16].
 *
 * <p>-Dp1 / -Dp2 (8 or 12): output pixels per register tile of the 1x1 and the stride-2 stage. At 12
 * (24 accumulators and two weight vectors) C2 spills accumulators to the stack inside the loop and
 * the stage runs at about half the FMA peak; at 8 it does not.
 *
 * <pre>
 * javac --add-modules jdk.incubator.vector -d /tmp/probe bench/probes/FusedExitProbe.java
 * java --add-modules jdk.incubator.vector -cp /tmp/probe FusedExitProbe micro        # one thread, one image in cache
 * java --add-modules jdk.incubator.vector -cp /tmp/probe FusedExitProbe 256 15     # batch 256, 2 threads, 15 x 10 calls
 * </pre>
 */
public class FusedExitProbe {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
  static final int H = 32, W = 32, CI = 16, CM = 32, CO = 32, OH = 16, OW = 16;
  static final int SW = W + 1;              // scratch width: col -1 .. 31
  static final int SH = H + 1;
  static final int T = 12;
  static final ThreadLocal<float[]> SCR = ThreadLocal.withInitial(() -> new float[SH * SW * CM + 64]);

  static float[] w1 = new float[CI * CM], b1 = new float[CM], w2 = new float[9 * CM * CO], b2 = new float[CO];

  static void image(float[] in, int n, float[] out) {
    float[] s = SCR.get();
    int inBase = n * H * W * CI;
    // 1x1 stage
    int pixels = H * W;
    if (P1 == 8) {
      for (int p0 = 0; p0 < pixels; p0 += 8) pointwise8(in, inBase + p0 * CI, s, p0);
    } else {
      for (int t = 0; t < pixels; t += T) {
        int p0 = Math.min(t, pixels - T);
        pointwise(in, inBase + p0 * CI, s, p0);
      }
    }
    // 3x3 stride 2
    int outs = OH * OW;
    if (P2 == 12) {
      for (int t = 0; t < outs; t += T) strided(s, Math.min(t, outs - T), out, n);
    } else {
      for (int t = 0; t < outs; t += P2) stridedP(s, Math.min(t, outs - P2), out, n, P2);
    }
  }

  static void pointwise8(float[] in, int base, float[] s, int p0) {
    FloatVector z = FloatVector.zero(S);
    FloatVector a0=z,c0=z, a1=z,c1=z, a2=z,c2=z, a3=z,c3=z, a4=z,c4=z, a5=z,c5=z, a6=z,c6=z, a7=z,c7=z;
    for (int c = 0; c < CI; c++) {
      FloatVector u = FloatVector.fromArray(S, w1, c * CM);
      FloatVector v = FloatVector.fromArray(S, w1, c * CM + 16);
      FloatVector x;
      x = FloatVector.broadcast(S, in[base + 0 * CI + c]); a0 = x.fma(u, a0); c0 = x.fma(v, c0);
      x = FloatVector.broadcast(S, in[base + 1 * CI + c]); a1 = x.fma(u, a1); c1 = x.fma(v, c1);
      x = FloatVector.broadcast(S, in[base + 2 * CI + c]); a2 = x.fma(u, a2); c2 = x.fma(v, c2);
      x = FloatVector.broadcast(S, in[base + 3 * CI + c]); a3 = x.fma(u, a3); c3 = x.fma(v, c3);
      x = FloatVector.broadcast(S, in[base + 4 * CI + c]); a4 = x.fma(u, a4); c4 = x.fma(v, c4);
      x = FloatVector.broadcast(S, in[base + 5 * CI + c]); a5 = x.fma(u, a5); c5 = x.fma(v, c5);
      x = FloatVector.broadcast(S, in[base + 6 * CI + c]); a6 = x.fma(u, a6); c6 = x.fma(v, c6);
      x = FloatVector.broadcast(S, in[base + 7 * CI + c]); a7 = x.fma(u, a7); c7 = x.fma(v, c7);
    }
    FloatVector bu = FloatVector.fromArray(S, b1, 0), bv = FloatVector.fromArray(S, b1, 16);
    int p = p0;
    a0.add(bu).max(z).intoArray(s, at(p)); c0.add(bv).max(z).intoArray(s, at(p++) + 16);
    a1.add(bu).max(z).intoArray(s, at(p)); c1.add(bv).max(z).intoArray(s, at(p++) + 16);
    a2.add(bu).max(z).intoArray(s, at(p)); c2.add(bv).max(z).intoArray(s, at(p++) + 16);
    a3.add(bu).max(z).intoArray(s, at(p)); c3.add(bv).max(z).intoArray(s, at(p++) + 16);
    a4.add(bu).max(z).intoArray(s, at(p)); c4.add(bv).max(z).intoArray(s, at(p++) + 16);
    a5.add(bu).max(z).intoArray(s, at(p)); c5.add(bv).max(z).intoArray(s, at(p++) + 16);
    a6.add(bu).max(z).intoArray(s, at(p)); c6.add(bv).max(z).intoArray(s, at(p++) + 16);
    a7.add(bu).max(z).intoArray(s, at(p)); c7.add(bv).max(z).intoArray(s, at(p++) + 16);
  }

  static int P1 = Integer.getInteger("p1", 8);

  static void pointwise(float[] in, int base, float[] s, int p0) {
    FloatVector z = FloatVector.zero(S);
    FloatVector a0=z,a1=z,a2=z,a3=z,a4=z,a5=z,a6=z,a7=z,a8=z,a9=z,a10=z,a11=z,
                c0=z,c1=z,c2=z,c3=z,c4=z,c5=z,c6=z,c7=z,c8=z,c9=z,c10=z,c11=z;
    for (int c = 0; c < CI; c++) {
      FloatVector u = FloatVector.fromArray(S, w1, c * CM);
      FloatVector v = FloatVector.fromArray(S, w1, c * CM + 16);
      FloatVector x;
      x = FloatVector.broadcast(S, in[base + 0 * CI + c]); a0 = x.fma(u, a0); c0 = x.fma(v, c0);
      x = FloatVector.broadcast(S, in[base + 1 * CI + c]); a1 = x.fma(u, a1); c1 = x.fma(v, c1);
      x = FloatVector.broadcast(S, in[base + 2 * CI + c]); a2 = x.fma(u, a2); c2 = x.fma(v, c2);
      x = FloatVector.broadcast(S, in[base + 3 * CI + c]); a3 = x.fma(u, a3); c3 = x.fma(v, c3);
      x = FloatVector.broadcast(S, in[base + 4 * CI + c]); a4 = x.fma(u, a4); c4 = x.fma(v, c4);
      x = FloatVector.broadcast(S, in[base + 5 * CI + c]); a5 = x.fma(u, a5); c5 = x.fma(v, c5);
      x = FloatVector.broadcast(S, in[base + 6 * CI + c]); a6 = x.fma(u, a6); c6 = x.fma(v, c6);
      x = FloatVector.broadcast(S, in[base + 7 * CI + c]); a7 = x.fma(u, a7); c7 = x.fma(v, c7);
      x = FloatVector.broadcast(S, in[base + 8 * CI + c]); a8 = x.fma(u, a8); c8 = x.fma(v, c8);
      x = FloatVector.broadcast(S, in[base + 9 * CI + c]); a9 = x.fma(u, a9); c9 = x.fma(v, c9);
      x = FloatVector.broadcast(S, in[base + 10 * CI + c]); a10 = x.fma(u, a10); c10 = x.fma(v, c10);
      x = FloatVector.broadcast(S, in[base + 11 * CI + c]); a11 = x.fma(u, a11); c11 = x.fma(v, c11);
    }
    FloatVector bu = FloatVector.fromArray(S, b1, 0), bv = FloatVector.fromArray(S, b1, 16);
    int p = p0;
    a0.add(bu).max(z).intoArray(s, at(p)); c0.add(bv).max(z).intoArray(s, at(p++) + 16);
    a1.add(bu).max(z).intoArray(s, at(p)); c1.add(bv).max(z).intoArray(s, at(p++) + 16);
    a2.add(bu).max(z).intoArray(s, at(p)); c2.add(bv).max(z).intoArray(s, at(p++) + 16);
    a3.add(bu).max(z).intoArray(s, at(p)); c3.add(bv).max(z).intoArray(s, at(p++) + 16);
    a4.add(bu).max(z).intoArray(s, at(p)); c4.add(bv).max(z).intoArray(s, at(p++) + 16);
    a5.add(bu).max(z).intoArray(s, at(p)); c5.add(bv).max(z).intoArray(s, at(p++) + 16);
    a6.add(bu).max(z).intoArray(s, at(p)); c6.add(bv).max(z).intoArray(s, at(p++) + 16);
    a7.add(bu).max(z).intoArray(s, at(p)); c7.add(bv).max(z).intoArray(s, at(p++) + 16);
    a8.add(bu).max(z).intoArray(s, at(p)); c8.add(bv).max(z).intoArray(s, at(p++) + 16);
    a9.add(bu).max(z).intoArray(s, at(p)); c9.add(bv).max(z).intoArray(s, at(p++) + 16);
    a10.add(bu).max(z).intoArray(s, at(p)); c10.add(bv).max(z).intoArray(s, at(p++) + 16);
    a11.add(bu).max(z).intoArray(s, at(p)); c11.add(bv).max(z).intoArray(s, at(p++) + 16);
  }

  static int at(int p) { return (((p / W) + 1) * SW + (p % W) + 1) * CM; }

  static int corner(int q) { return ((2 * (q / OW)) * SW + 2 * (q % OW)) * CM; }  // tap (0,0) = input (-1,-1)

  static final int[] OFF = new int[9 * CM];
  static {
    for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) for (int c = 0; c < CM; c++)
      OFF[(ky * 3 + kx) * CM + c] = (ky * SW + kx) * CM + c;
  }

  static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[24 * 16]);

  static void strided(float[] s, int p0, float[] out, int n) {
    float[] acc = ACC.get();
    Arrays.fill(acc, 0f);
    int q0 = corner(p0), q1 = corner(p0 + 1), q2 = corner(p0 + 2), q3 = corner(p0 + 3), q4 = corner(p0 + 4), q5 = corner(p0 + 5),
        q6 = corner(p0 + 6), q7 = corner(p0 + 7), q8 = corner(p0 + 8), q9 = corner(p0 + 9), q10 = corner(p0 + 10), q11 = corner(p0 + 11);
    for (int ky = 0; ky < 3; ky++) {
      tapRow(s, ky * SW * CM, ky * 3 * CM * CO, acc, q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11);
    }
    FloatVector z = FloatVector.zero(S);
    FloatVector bu = FloatVector.fromArray(S, b2, 0), bv = FloatVector.fromArray(S, b2, 16);
    int o0 = (n * 2) * OH * OW * 16 + p0 * 16, o1 = o0 + OH * OW * 16;
    for (int j = 0; j < 12; j++) {
      FloatVector.fromArray(S, acc, j * 32).add(bu).max(z).intoArray(out, o0 + j * 16);
      FloatVector.fromArray(S, acc, j * 32 + 16).add(bv).max(z).intoArray(out, o1 + j * 16);
    }
  }

  static void tapRow8(float[] s, int rowOff, int wOff, float[] acc, int[] q) {
    FloatVector
      a0 = FloatVector.fromArray(S, acc, 0), c0 = FloatVector.fromArray(S, acc, 16),
      a1 = FloatVector.fromArray(S, acc, 32), c1 = FloatVector.fromArray(S, acc, 48),
      a2 = FloatVector.fromArray(S, acc, 64), c2 = FloatVector.fromArray(S, acc, 80),
      a3 = FloatVector.fromArray(S, acc, 96), c3 = FloatVector.fromArray(S, acc, 112),
      a4 = FloatVector.fromArray(S, acc, 128), c4 = FloatVector.fromArray(S, acc, 144),
      a5 = FloatVector.fromArray(S, acc, 160), c5 = FloatVector.fromArray(S, acc, 176),
      a6 = FloatVector.fromArray(S, acc, 192), c6 = FloatVector.fromArray(S, acc, 208),
      a7 = FloatVector.fromArray(S, acc, 224), c7 = FloatVector.fromArray(S, acc, 240);
    int b0 = q[0] + rowOff, b1 = q[1] + rowOff, b2 = q[2] + rowOff, b3 = q[3] + rowOff, b4 = q[4] + rowOff, b5 = q[5] + rowOff, b6 = q[6] + rowOff, b7 = q[7] + rowOff;
    for (int t = 0; t < 3 * CM; t++) {
      FloatVector u = FloatVector.fromArray(S, w2, wOff + t * CO);
      FloatVector v = FloatVector.fromArray(S, w2, wOff + t * CO + 16);
      FloatVector x;
      x = FloatVector.broadcast(S, s[b0 + t]); a0 = x.fma(u, a0); c0 = x.fma(v, c0);
      x = FloatVector.broadcast(S, s[b1 + t]); a1 = x.fma(u, a1); c1 = x.fma(v, c1);
      x = FloatVector.broadcast(S, s[b2 + t]); a2 = x.fma(u, a2); c2 = x.fma(v, c2);
      x = FloatVector.broadcast(S, s[b3 + t]); a3 = x.fma(u, a3); c3 = x.fma(v, c3);
      x = FloatVector.broadcast(S, s[b4 + t]); a4 = x.fma(u, a4); c4 = x.fma(v, c4);
      x = FloatVector.broadcast(S, s[b5 + t]); a5 = x.fma(u, a5); c5 = x.fma(v, c5);
      x = FloatVector.broadcast(S, s[b6 + t]); a6 = x.fma(u, a6); c6 = x.fma(v, c6);
      x = FloatVector.broadcast(S, s[b7 + t]); a7 = x.fma(u, a7); c7 = x.fma(v, c7);
    }
    a0.intoArray(acc, 0); c0.intoArray(acc, 16); a1.intoArray(acc, 32); c1.intoArray(acc, 48); a2.intoArray(acc, 64); c2.intoArray(acc, 80); a3.intoArray(acc, 96); c3.intoArray(acc, 112); a4.intoArray(acc, 128); c4.intoArray(acc, 144); a5.intoArray(acc, 160); c5.intoArray(acc, 176); a6.intoArray(acc, 192); c6.intoArray(acc, 208); a7.intoArray(acc, 224); c7.intoArray(acc, 240);
  }

  static void tapRow10(float[] s, int rowOff, int wOff, float[] acc, int[] q) {
    FloatVector
      a0 = FloatVector.fromArray(S, acc, 0), c0 = FloatVector.fromArray(S, acc, 16),
      a1 = FloatVector.fromArray(S, acc, 32), c1 = FloatVector.fromArray(S, acc, 48),
      a2 = FloatVector.fromArray(S, acc, 64), c2 = FloatVector.fromArray(S, acc, 80),
      a3 = FloatVector.fromArray(S, acc, 96), c3 = FloatVector.fromArray(S, acc, 112),
      a4 = FloatVector.fromArray(S, acc, 128), c4 = FloatVector.fromArray(S, acc, 144),
      a5 = FloatVector.fromArray(S, acc, 160), c5 = FloatVector.fromArray(S, acc, 176),
      a6 = FloatVector.fromArray(S, acc, 192), c6 = FloatVector.fromArray(S, acc, 208),
      a7 = FloatVector.fromArray(S, acc, 224), c7 = FloatVector.fromArray(S, acc, 240),
      a8 = FloatVector.fromArray(S, acc, 256), c8 = FloatVector.fromArray(S, acc, 272),
      a9 = FloatVector.fromArray(S, acc, 288), c9 = FloatVector.fromArray(S, acc, 304);
    int b0 = q[0] + rowOff, b1 = q[1] + rowOff, b2 = q[2] + rowOff, b3 = q[3] + rowOff, b4 = q[4] + rowOff, b5 = q[5] + rowOff, b6 = q[6] + rowOff, b7 = q[7] + rowOff, b8 = q[8] + rowOff, b9 = q[9] + rowOff;
    for (int t = 0; t < 3 * CM; t++) {
      FloatVector u = FloatVector.fromArray(S, w2, wOff + t * CO);
      FloatVector v = FloatVector.fromArray(S, w2, wOff + t * CO + 16);
      FloatVector x;
      x = FloatVector.broadcast(S, s[b0 + t]); a0 = x.fma(u, a0); c0 = x.fma(v, c0);
      x = FloatVector.broadcast(S, s[b1 + t]); a1 = x.fma(u, a1); c1 = x.fma(v, c1);
      x = FloatVector.broadcast(S, s[b2 + t]); a2 = x.fma(u, a2); c2 = x.fma(v, c2);
      x = FloatVector.broadcast(S, s[b3 + t]); a3 = x.fma(u, a3); c3 = x.fma(v, c3);
      x = FloatVector.broadcast(S, s[b4 + t]); a4 = x.fma(u, a4); c4 = x.fma(v, c4);
      x = FloatVector.broadcast(S, s[b5 + t]); a5 = x.fma(u, a5); c5 = x.fma(v, c5);
      x = FloatVector.broadcast(S, s[b6 + t]); a6 = x.fma(u, a6); c6 = x.fma(v, c6);
      x = FloatVector.broadcast(S, s[b7 + t]); a7 = x.fma(u, a7); c7 = x.fma(v, c7);
      x = FloatVector.broadcast(S, s[b8 + t]); a8 = x.fma(u, a8); c8 = x.fma(v, c8);
      x = FloatVector.broadcast(S, s[b9 + t]); a9 = x.fma(u, a9); c9 = x.fma(v, c9);
    }
    a0.intoArray(acc, 0); c0.intoArray(acc, 16); a1.intoArray(acc, 32); c1.intoArray(acc, 48); a2.intoArray(acc, 64); c2.intoArray(acc, 80); a3.intoArray(acc, 96); c3.intoArray(acc, 112); a4.intoArray(acc, 128); c4.intoArray(acc, 144); a5.intoArray(acc, 160); c5.intoArray(acc, 176); a6.intoArray(acc, 192); c6.intoArray(acc, 208); a7.intoArray(acc, 224); c7.intoArray(acc, 240); a8.intoArray(acc, 256); c8.intoArray(acc, 272); a9.intoArray(acc, 288); c9.intoArray(acc, 304);
  }

  static final ThreadLocal<int[]> Q = ThreadLocal.withInitial(() -> new int[16]);
  static int P2 = Integer.getInteger("p2", 8);

  static void stridedP(float[] s, int p0, float[] out, int n, int P) {
    float[] acc = ACC.get();
    Arrays.fill(acc, 0f);
    int[] q = Q.get();
    for (int j = 0; j < P; j++) q[j] = corner(p0 + j);
    for (int ky = 0; ky < 3; ky++) {
      if (P == 8) tapRow8(s, ky * SW * CM, ky * 3 * CM * CO, acc, q); else tapRow10(s, ky * SW * CM, ky * 3 * CM * CO, acc, q);
    }
    FloatVector z = FloatVector.zero(S);
    FloatVector bu = FloatVector.fromArray(S, b2, 0), bv = FloatVector.fromArray(S, b2, 16);
    int o0 = (n * 2) * OH * OW * 16 + p0 * 16, o1 = o0 + OH * OW * 16;
    for (int j = 0; j < P; j++) {
      FloatVector.fromArray(S, acc, j * 32).add(bu).max(z).intoArray(out, o0 + j * 16);
      FloatVector.fromArray(S, acc, j * 32 + 16).add(bv).max(z).intoArray(out, o1 + j * 16);
    }
  }

  static void tapRow(float[] s, int rowOff, int wOff, float[] acc, int q0, int q1, int q2, int q3, int q4, int q5,
      int q6, int q7, int q8, int q9, int q10, int q11) {
    FloatVector
      a0 = FloatVector.fromArray(S, acc, 0), c0 = FloatVector.fromArray(S, acc, 16),
      a1 = FloatVector.fromArray(S, acc, 32), c1 = FloatVector.fromArray(S, acc, 48),
      a2 = FloatVector.fromArray(S, acc, 64), c2 = FloatVector.fromArray(S, acc, 80),
      a3 = FloatVector.fromArray(S, acc, 96), c3 = FloatVector.fromArray(S, acc, 112),
      a4 = FloatVector.fromArray(S, acc, 128), c4 = FloatVector.fromArray(S, acc, 144),
      a5 = FloatVector.fromArray(S, acc, 160), c5 = FloatVector.fromArray(S, acc, 176),
      a6 = FloatVector.fromArray(S, acc, 192), c6 = FloatVector.fromArray(S, acc, 208),
      a7 = FloatVector.fromArray(S, acc, 224), c7 = FloatVector.fromArray(S, acc, 240),
      a8 = FloatVector.fromArray(S, acc, 256), c8 = FloatVector.fromArray(S, acc, 272),
      a9 = FloatVector.fromArray(S, acc, 288), c9 = FloatVector.fromArray(S, acc, 304),
      a10 = FloatVector.fromArray(S, acc, 320), c10 = FloatVector.fromArray(S, acc, 336),
      a11 = FloatVector.fromArray(S, acc, 352), c11 = FloatVector.fromArray(S, acc, 368);
    int b0 = q0 + rowOff, b1 = q1 + rowOff, b2_ = q2 + rowOff, b3 = q3 + rowOff, b4 = q4 + rowOff, b5 = q5 + rowOff,
        b6 = q6 + rowOff, b7 = q7 + rowOff, b8 = q8 + rowOff, b9 = q9 + rowOff, b10 = q10 + rowOff, b11 = q11 + rowOff;
    for (int t = 0; t < 3 * CM; t++) {
      FloatVector u = FloatVector.fromArray(S, w2, wOff + t * CO);
      FloatVector v = FloatVector.fromArray(S, w2, wOff + t * CO + 16);
      FloatVector x;
      x = FloatVector.broadcast(S, s[b0 + t]); a0 = x.fma(u, a0); c0 = x.fma(v, c0);
      x = FloatVector.broadcast(S, s[b1 + t]); a1 = x.fma(u, a1); c1 = x.fma(v, c1);
      x = FloatVector.broadcast(S, s[b2_ + t]); a2 = x.fma(u, a2); c2 = x.fma(v, c2);
      x = FloatVector.broadcast(S, s[b3 + t]); a3 = x.fma(u, a3); c3 = x.fma(v, c3);
      x = FloatVector.broadcast(S, s[b4 + t]); a4 = x.fma(u, a4); c4 = x.fma(v, c4);
      x = FloatVector.broadcast(S, s[b5 + t]); a5 = x.fma(u, a5); c5 = x.fma(v, c5);
      x = FloatVector.broadcast(S, s[b6 + t]); a6 = x.fma(u, a6); c6 = x.fma(v, c6);
      x = FloatVector.broadcast(S, s[b7 + t]); a7 = x.fma(u, a7); c7 = x.fma(v, c7);
      x = FloatVector.broadcast(S, s[b8 + t]); a8 = x.fma(u, a8); c8 = x.fma(v, c8);
      x = FloatVector.broadcast(S, s[b9 + t]); a9 = x.fma(u, a9); c9 = x.fma(v, c9);
      x = FloatVector.broadcast(S, s[b10 + t]); a10 = x.fma(u, a10); c10 = x.fma(v, c10);
      x = FloatVector.broadcast(S, s[b11 + t]); a11 = x.fma(u, a11); c11 = x.fma(v, c11);
    }
    a0.intoArray(acc, 0); c0.intoArray(acc, 16); a1.intoArray(acc, 32); c1.intoArray(acc, 48);
    a2.intoArray(acc, 64); c2.intoArray(acc, 80); a3.intoArray(acc, 96); c3.intoArray(acc, 112);
    a4.intoArray(acc, 128); c4.intoArray(acc, 144); a5.intoArray(acc, 160); c5.intoArray(acc, 176);
    a6.intoArray(acc, 192); c6.intoArray(acc, 208); a7.intoArray(acc, 224); c7.intoArray(acc, 240);
    a8.intoArray(acc, 256); c8.intoArray(acc, 272); a9.intoArray(acc, 288); c9.intoArray(acc, 304);
    a10.intoArray(acc, 320); c10.intoArray(acc, 336); a11.intoArray(acc, 352); c11.intoArray(acc, 368);
  }

  /** Double reference for image n, output (oc, oy, ox). */
  static double ref(float[] in, int n, int oc, int oy, int ox) {
    double sum = b2[oc];
    for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) {
      int y = 2 * oy - 1 + ky, x = 2 * ox - 1 + kx;
      if (y < 0 || x < 0 || y >= H || x >= W) continue;
      for (int m = 0; m < CM; m++) {
        double mid = b1[m];
        for (int c = 0; c < CI; c++) mid += (double) w1[c * CM + m] * in[((n * H + y) * W + x) * CI + c];
        mid = Math.max(0, mid);
        sum += w2[((ky * 3 + kx) * CM + m) * CO + oc] * mid;
      }
    }
    return Math.max(0, sum);
  }

  static void init() {
    Random r = new Random(1);
    for (int i = 0; i < w1.length; i++) w1[i] = (float) r.nextGaussian() * 0.25f;
    for (int i = 0; i < w2.length; i++) w2[i] = (float) r.nextGaussian() * 0.06f;
    for (int i = 0; i < CM; i++) { b1[i] = (float) r.nextGaussian() * 0.1f; b2[i] = (float) r.nextGaussian() * 0.1f; }
  }

  static float peak(int iters) {
    FloatVector m = FloatVector.broadcast(S, 0.999f), c = FloatVector.broadcast(S, 0.001f);
    FloatVector a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
    for (int i = 0; i < iters; i++) {
      a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c); a4 = a4.fma(m, c); a5 = a5.fma(m, c);
      a6 = a6.fma(m, c); a7 = a7.fma(m, c); a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(VectorOperators.ADD);
  }

  static void micro() {
    float sink = 0;
    for (int w = 0; w < 20; w++) sink += peak(1_000_000);
    for (int k = 0; k < 3; k++) {
      long t0 = System.nanoTime();
      sink += peak(20_000_000);
      System.out.printf("one thread FMA peak: %.1f GFLOP/s%n", 20e6 * 12 * 32 / (System.nanoTime() - t0));
    }
    System.out.println(sink);
    init();
    float[] in = new float[H * W * CI];
    Random r = new Random(3);
    for (int i = 0; i < in.length; i++) in[i] = Math.max(0, (float) r.nextGaussian());
    float[] out = new float[CO * OH * OW];
    float[] s = SCR.get();
    for (int w = 0; w < 3000; w++) image(in, 0, out);
    for (int k = 0; k < 7; k++) {
      long t0 = System.nanoTime();
      if (P1 == 8) for (int rep = 0; rep < 2000; rep++) for (int p0 = 0; p0 < 1024; p0 += 8) pointwise8(in, p0 * CI, s, p0);
      else for (int rep = 0; rep < 2000; rep++) for (int t = 0; t < 1024; t += T) pointwise(in, Math.min(t, 1024 - T) * CI, s, Math.min(t, 1024 - T));
      long t1 = System.nanoTime();
      if (P2 == 12) for (int rep = 0; rep < 2000; rep++) for (int t = 0; t < 256; t += T) strided(s, Math.min(t, 256 - T), out, 0);
      else for (int rep = 0; rep < 2000; rep++) for (int t = 0; t < 256; t += P2) stridedP(s, Math.min(t, 256 - P2), out, 0, P2);
      long t2 = System.nanoTime();
      double pw = 2000.0 * (P1 == 8 ? 1024 : 86 * 12) * 16 * 32 * 2 / (t1 - t0);
      double st = 2000.0 * ((256 + P2 - 1) / P2) * P2 * 288 * 32 * 2 / (t2 - t1);
      System.out.printf("one thread, one image in cache: pointwise %.1f GFLOP/s, strided %.1f GFLOP/s (%.1f / %.1f us per image)%n",
          pw, st, (t1 - t0) / 2000e3, (t2 - t1) / 2000e3);
    }
  }

  public static void main(String[] args) {
    if (args[0].equals("micro")) { micro(); return; }
    int batch = Integer.parseInt(args[0]);
    init();
    Random r = new Random(2);
    float[] in = new float[batch * H * W * CI];
    for (int i = 0; i < in.length; i++) in[i] = Math.max(0, (float) r.nextGaussian());
    float[] out = new float[batch * CO * OH * OW];
    // zero borders are set once per thread scratch (never written by the 1x1 stage)
    IntStream.range(0, batch).parallel().forEach(n -> image(in, n, out));
    double err = 0, scale = 0;
    for (int t = 0; t < 300; t++) {
      int n = r.nextInt(batch), oc = r.nextInt(CO), oy = r.nextInt(OH), ox = r.nextInt(OW);
      if (t < 4) { oy = t < 2 ? 0 : OH - 1; ox = t % 2 == 0 ? 0 : OW - 1; }
      double e = ref(in, n, oc, oy, ox);
      double g = out[((n * 2 + oc / 16) * OH * OW + oy * OW + ox) * 16 + oc % 16];
      err = Math.max(err, Math.abs(e - g)); scale = Math.max(scale, Math.abs(e));
    }
    System.out.printf("max err %.3g of scale %.3g%n", err, scale);
    double[] ms = new double[Integer.parseInt(args[1])];
    for (int w = 0; w < 20; w++) IntStream.range(0, batch).parallel().forEach(n -> image(in, n, out));
    for (int k = 0; k < ms.length; k++) {
      long t0 = System.nanoTime();
      for (int rep = 0; rep < 10; rep++) IntStream.range(0, batch).parallel().forEach(n -> image(in, n, out));
      ms[k] = (System.nanoTime() - t0) / 1e7;
    }
    double[] sorted = ms.clone(); Arrays.sort(sorted);
    double flops = 2.0 * batch * (H * W * CI * CM + OH * OW * 9.0 * CM * CO);
    System.out.printf("batch %d: median %.3f ms (min %.3f), %.0f GFLOP/s%n", batch, sorted[ms.length / 2], sorted[0], flops / sorted[ms.length / 2] / 1e6);
  }
}
