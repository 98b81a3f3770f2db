import java.io.*;
import java.lang.management.*;
import java.lang.reflect.*;
import java.net.*;
import java.nio.file.*;
import java.util.*;

/**
 * In-process A/B of builds of the learner, by thread CPU time per token:
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector bench/jmh/ab/LearnerAB.java CORPUS ROUNDS DIR_A DIR_B ...
 * </pre>
 *
 * Each DIR holds lib/*.jar of one build (e.g. a copy of bench/jmh/target/lib after bench/jmh.sh);
 * each build gets its own class loader and its own learner (default model, context 5, 5 negatives,
 * min-count 5, dirty rows off as in ./streamvec train), learns 1M tokens of CORPUS (lower-cased,
 * split on white space, a sentence end per line), then ROUNDS rounds of 250k tokens each, the
 * builds taking turns (order reversed every round). Prints each build's median thread-CPU ns/token
 * and per-round values, and the per-round ratios of the first build to each other one. Give the
 * first build twice for an A/A control. Numbers from a shared machine: compare within one run.
 *
 * <p>Extra model keys per learner: DIR@key=value,key=value (e.g. one build as DIR@batch=1 and
 * DIR@batch=16; the A/A control is then DIR@batch=1 twice). With -Dab.records=lines each learner
 * learns a corpus line (its words and the sentence end) per learn(List) call, as ./streamvec train
 * does, instead of a learnToken call per token: a record ends a mini-batch (model key batch); a
 * round then ends with the line that reaches 250k tokens, and ns/token counts what it learned.
 */
public class LearnerAB {
  public static void main(String[] a) throws Exception {
    if (a.length < 3) {
      System.err.println("usage: LearnerAB.java CORPUS ROUNDS DIR_A [DIR_B ...] (see the class comment)");
      System.exit(2);
    }
    String corpus = a[0];
    int rounds = Integer.parseInt(a[1]);
    List<String> words = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(Paths.get(corpus))) {
      String line;
      while ((line = r.readLine()) != null) {
        for (String w : line.toLowerCase().split("\\s+")) if (!w.isEmpty()) words.add(w);
        words.add("</s>");
      }
    }
    String[] s = words.toArray(new String[0]);
    boolean lines = "lines".equals(System.getProperty("ab.records"));
    int nb = a.length - 2;
    Object[] learners = new Object[nb];
    Method[] learn = new Method[nb];
    int[] pos = new int[nb];
    for (int b = 0; b < nb; b++) {
      String[] dirKeys = a[2 + b].split("@", 2);
      File[] jars = new File(dirKeys[0], "lib").listFiles((d, n) -> n.endsWith(".jar"));
      URL[] urls = new URL[jars.length];
      for (int i = 0; i < jars.length; i++) urls[i] = jars[i].toURI().toURL();
      ClassLoader cl = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
      Class<?> mc = cl.loadClass("io.streamvec.model.ModelConfig");
      Object c = mc.getMethod("defaults").invoke(null);
      Method with = mc.getMethod("with", String.class, String.class);
      for (String[] kv : new String[][] {{"context", "5"}, {"negatives", "5"}, {"min-count", "5"}, {"dim", "100"}})
        c = with.invoke(c, kv[0], kv[1]);
      if (dirKeys.length > 1)
        for (String kv : dirKeys[1].split(",")) c = with.invoke(c, kv.split("=", 2)[0], kv.split("=", 2)[1]);
      Class<?> lc = cl.loadClass("io.streamvec.model.Learner");
      learners[b] = lc.getConstructor(mc).newInstance(c);
      lc.getMethod("trackDirtyRows", boolean.class).invoke(learners[b], false);
      learn[b] = lines ? lc.getMethod("learn", List.class) : lc.getMethod("learnToken", String.class);
    }
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    int warm = 1_000_000, chunk = 250_000;
    for (int b = 0; b < nb; b++) pos[b] = run(learners[b], learn[b], s, 0, warm);
    double[][] cpu = new double[nb][rounds], wall = new double[nb][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < nb; k++) {
        int b = (r % 2 == 0) ? k : nb - 1 - k;
        long c0 = tm.getCurrentThreadCpuTime(), w0 = System.nanoTime();
        pos[b] = run(learners[b], learn[b], s, pos[b], chunk);
        cpu[b][r] = (tm.getCurrentThreadCpuTime() - c0) / (double) ran;
        wall[b][r] = (System.nanoTime() - w0) / (double) ran;
      }
    }
    for (int b = 0; b < nb; b++) {
      StringBuilder sb = new StringBuilder();
      for (int r = 0; r < rounds; r++) sb.append(String.format(" %.0f", cpu[b][r]));
      System.out.printf("%-28s cpu median %.0f ns/token (wall median %.0f) rounds:%s%n", a[2 + b], median(cpu[b]), median(wall[b]), sb);
    }
    for (int b = 1; b < nb; b++) {
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) ratio[r] = cpu[0][r] / cpu[b][r];
      double[] sorted = ratio.clone(); Arrays.sort(sorted);
      System.out.printf("ratio %s / %s: median %.3f [%.3f..%.3f]%n", a[2], a[2 + b], median(ratio), sorted[0], sorted[rounds - 1]);
    }
  }

  static double median(double[] x) { double[] y = x.clone(); Arrays.sort(y); int n = y.length; return n % 2 == 1 ? y[n / 2] : (y[n / 2 - 1] + y[n / 2]) / 2; }

  static long ran; // tokens learned by the last run

  static int run(Object l, Method m, String[] s, int p, int n) throws Exception {
    if (m.getName().equals("learn")) return runLines(l, m, s, p, n);
    ran = n;
    for (int i = 0; i < n; i++) { m.invoke(l, s[p]); p = p + 1 == s.length ? 0 : p + 1; }
    return p;
  }

  /** At least n tokens as whole lines (each up to its sentence end); the lists are views of s. */
  static int runLines(Object l, Method m, String[] s, int p, int n) throws Exception {
    List<String> all = Arrays.asList(s);
    long done = 0;
    while (done < n) {
      int e = p;
      while (e < s.length - 1 && !s[e].equals("</s>")) e++;
      m.invoke(l, all.subList(p, e + 1));
      done += e + 1 - p;
      p = e + 1 == s.length ? 0 : e + 1;
    }
    ran = done;
    return p;
  }
}
