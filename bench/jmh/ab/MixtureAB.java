import java.io.*;
import java.lang.management.*;
import java.lang.reflect.*;
import java.net.*;
import java.nio.file.*;
import java.util.*;

/**
 * In-process A/B of builds of the served mixture alone, by thread CPU time per token:
 *
 * <pre>
 *   java -Xmx3g bench/jmh/ab/MixtureAB.java CORPUS ROUNDS DIR_A [DIR_B ...]
 * </pre>
 *
 * DIRs as for LearnerAB.java (lib/*.jar of one build each, its own class loader). Each build's
 * NextWordMixture (order 3, 500k n-grams, the defaults) gets CORPUS's word ids as the vocabulary
 * would give them (the first 50k distinct lower-cased words, the rest <unk>, a sentence end per
 * line; slotAssigned on a new word) and does prefetch + count per token with nothing in between,
 * so every cache miss is exposed. Warm-up up to 1.5M tokens (the table fills and rebuilds), then
 * the rest of CORPUS in ROUNDS rounds, the builds taking turns on the same tokens. Unlike a Zipf
 * stream of independent words, real text has n-gram structure, so it shows the rebuilds' share.
 *
 * <p>With -Dab.rebuilds=N it times the rebuild alone instead: after the warm-up, N rounds in which
 * each build rebuilds (without halving) a fresh copy of its n-gram model, by thread CPU time per
 * rebuild (the copy not counted). The same state every time, so rounds differ only by the machine.
 */
public class MixtureAB {
  public static void main(String[] a) throws Exception {
    List<Integer> ids = new ArrayList<>();
    Map<String, Integer> vocab = new HashMap<>();
    BitSet fresh = new BitSet();
    try (BufferedReader r = Files.newBufferedReader(Paths.get(a[0]))) {
      String line;
      while ((line = r.readLine()) != null) {
        for (String w : line.toLowerCase().split("\\s+")) {
          if (w.isEmpty()) continue;
          Integer id = vocab.get(w);
          if (id == null && vocab.size() < 50_000) { id = vocab.size() + 2; vocab.put(w, id); fresh.set(ids.size()); }
          ids.add(id == null ? 0 : id);
        }
        ids.add(1);
      }
    }
    int[] s = ids.stream().mapToInt(Integer::intValue).toArray();
    int rounds = Integer.parseInt(a[1]), nb = a.length - 2;
    Object[] mix = new Object[nb];
    Method[] pre = new Method[nb], cnt = new Method[nb], slot = new Method[nb];
    for (int b = 0; b < nb; b++) {
      File[] jars = new File(a[2 + b], "lib").listFiles((d, n) -> n.endsWith(".jar"));
      URL[] urls = new URL[jars.length];
      for (int i = 0; i < jars.length; i++) urls[i] = jars[i].toURI().toURL();
      ClassLoader cl = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
      Class<?> mc = cl.loadClass("io.streamvec.model.lm.NextWordMixture");
      mix[b] = mc.getConstructor(int.class, int.class, double.class, int.class).newInstance(3, 500_000, 1e8, 100_000);
      pre[b] = mc.getMethod("prefetch", int.class);
      cnt[b] = mc.getMethod("count", int.class);
      slot[b] = mc.getMethod("slotAssigned", int.class, boolean.class);
    }
    // warm-up: the first 1.5M tokens (-Dab.warm; tables full, rebuilds under way)
    int warm = Math.min(Integer.getInteger("ab.warm", 1_500_000), s.length / 2), chunk = (s.length - warm) / rounds;
    for (int b = 0; b < nb; b++) run(mix[b], pre[b], cnt[b], slot[b], s, fresh, 0, warm);
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    int rebuilds = Integer.getInteger("ab.rebuilds", 0);
    if (rebuilds > 0) {
      rebuilds(mix, a, rebuilds, tm);
      return;
    }
    double[][] cpu = new double[nb][rounds];
    for (int r = 0; r < rounds; r++)
      for (int k = 0; k < nb; k++) {
        int b = (r % 2 == 0) ? k : nb - 1 - k;
        long c0 = tm.getCurrentThreadCpuTime();
        run(mix[b], pre[b], cnt[b], slot[b], s, fresh, warm + r * chunk, chunk);
        cpu[b][r] = (tm.getCurrentThreadCpuTime() - c0) / (double) chunk;
      }
    for (int b = 0; b < nb; b++) {
      StringBuilder sb = new StringBuilder();
      for (int r = 0; r < rounds; r++) sb.append(String.format(" %.0f", cpu[b][r]));
      System.out.printf("%-24s cpu median %.1f ns/token rounds:%s%n", a[2 + b], median(cpu[b]), sb);
    }
    for (int b = 1; b < nb; b++) {
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) ratio[r] = cpu[0][r] / cpu[b][r];
      double[] so = ratio.clone(); Arrays.sort(so);
      System.out.printf("ratio %s / %s: median %.3f [%.3f..%.3f]%n", a[2], a[2 + b], median(ratio), so[0], so[rounds - 1]);
    }
  }

  static void rebuilds(Object[] mix, String[] a, int rounds, ThreadMXBean tm) throws Exception {
    int nb = mix.length;
    double[][] ms = new double[nb][rounds];
    for (int r = 0; r < rounds; r++)
      for (int k = 0; k < nb; k++) {
        int b = (r % 2 == 0) ? k : nb - 1 - k;
        Object kn = mix[b].getClass().getMethod("ngram").invoke(mix[b]);
        Object copy = kn.getClass().getMethod("copy").invoke(kn);
        Method rebuild = copy.getClass().getDeclaredMethod("rebuild", boolean.class);
        rebuild.setAccessible(true);
        long c0 = tm.getCurrentThreadCpuTime();
        rebuild.invoke(copy, false);
        ms[b][r] = (tm.getCurrentThreadCpuTime() - c0) / 1e6;
      }
    for (int b = 0; b < nb; b++) {
      StringBuilder sb = new StringBuilder();
      for (int r = 0; r < rounds; r++) sb.append(String.format(" %.1f", ms[b][r]));
      System.out.printf("%-24s rebuild cpu median %.2f ms rounds:%s%n", a[2 + b], median(ms[b]), sb);
    }
    for (int b = 1; b < nb; b++) {
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) ratio[r] = ms[0][r] / ms[b][r];
      double[] so = ratio.clone(); Arrays.sort(so);
      System.out.printf("ratio %s / %s: median %.3f [%.3f..%.3f]%n", a[2], a[2 + b], median(ratio), so[0], so[rounds - 1]);
    }
  }

  static double median(double[] x) { double[] y = x.clone(); Arrays.sort(y); int n = y.length; return n % 2 == 1 ? y[n / 2] : (y[n / 2 - 1] + y[n / 2]) / 2; }

  static void run(Object m, Method pre, Method cnt, Method slot, int[] s, BitSet fresh, int p, int n) throws Exception {
    for (int i = p; i < p + n; i++) {
      if (fresh.get(i)) slot.invoke(m, s[i], false);
      pre.invoke(m, s[i]);
      cnt.invoke(m, s[i]);
    }
  }
}
