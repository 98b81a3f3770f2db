package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.nn.ExpSum;
import io.streamvec.model.nn.VectorMath;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Same seed + same stream = the same model bit for bit, whatever SIMD the machine has: the golden
 * trainings run here and in child JVMs, and every model hash must be equal. Here the JVM has no
 * Vector API module, so VectorMath runs its scalar loops. The children: the Vector API on (256-bit
 * SIMD on a CPU that has it, as ./streamvec train and app run); the Vector API forced on with x86
 * vector instructions off (-XX:UseAVX=0 -XX:UseSSE=2: the API's Java fallback); the scalar loops
 * with vector instructions off; and the interpreter only (-Xint, no JIT at all).
 */
class SimdDeterminismTest {
  private static final String[][] CASES = {
    {"lbl", "ns", "adagrad"}, {"cbow", "ns", "sgd"}, {"bengio", "softmax", "adagrad"}
  };

  /**
   * Child JVM: prints whether it ran the Vector API, one model hash per case, then the bits of an
   * exact softmax's normaliser over 50,003 seeded scores (the exact evaluation's kernel).
   */
  public static void main(String[] args) {
    System.out.println("simd=" + VectorMath.simd());
    for (String[] c : CASES)
      System.out.println(
          GoldenModelTest.sha256(GoldenModelTest.train(c[0], c[1], c[2]).snapshot(0)));
    System.out.println(normaliserBits());
  }

  private static String normaliserBits() {
    SplittableRandom rng = new SplittableRandom(15);
    float[] s = new float[50_003];
    for (int i = 0; i < s.length; i++) s[i] = (float) (rng.nextDouble() * 30 - 20);
    return Long.toHexString(Double.doubleToRawLongBits(ExpSum.sumExp(s, 0, s.length, 10f)));
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void simdOnOrOffGivesTheSameBits() throws Exception {
    List<String> here = new ArrayList<>();
    for (String[] c : CASES)
      here.add(GoldenModelTest.sha256(GoldenModelTest.train(c[0], c[1], c[2]).snapshot(0)));
    here.add(normaliserBits());
    boolean x86 = System.getProperty("os.arch").matches("amd64|x86_64");
    List<String> noSimd = x86 ? List.of("-XX:UseAVX=0", "-XX:UseSSE=2") : List.of();
    String vectorApi = "--add-modules=jdk.incubator.vector";

    List<String> simd = child(List.of(vectorApi));
    assertEquals(here, simd.subList(1, simd.size()), "Vector API on (child: " + simd.get(0) + ")");

    List<String> fallback = new ArrayList<>(noSimd);
    fallback.add(vectorApi);
    fallback.add("-Dstreamvec.simd=true");
    assertEquals(expected(true, here), child(fallback), "Vector API forced on without SIMD");

    List<String> scalar = new ArrayList<>(noSimd);
    scalar.add(vectorApi);
    assertEquals(expected(false, here), child(scalar), "scalar loops, no SIMD instructions");

    assertEquals(expected(false, here), child(List.of("-Xint")), "interpreter, no module");
  }

  private static List<String> expected(boolean simd, List<String> hashes) {
    List<String> lines = new ArrayList<>();
    lines.add("simd=" + simd);
    lines.addAll(hashes);
    return lines;
  }

  private static List<String> child(List<String> jvmFlags) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(
        String.join(
            File.pathSeparator,
            location(SimdDeterminismTest.class),
            location(Learner.class),
            location(FMatrixRMaj.class),
            location(CommonOps_FDRM.class)));
    cmd.add(SimdDeterminismTest.class.getName());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(4, TimeUnit.MINUTES), "child JVM " + jvmFlags + " did not finish");
    assertEquals(0, p.exitValue(), "child JVM " + jvmFlags + " failed; output: " + out);
    return List.of(out.strip().split("\\R"));
  }

  private static String location(Class<?> c) throws Exception {
    return Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
