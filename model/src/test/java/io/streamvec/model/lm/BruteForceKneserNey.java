package io.streamvec.model.lm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Interpolated Kneser-Ney recounted from scratch: the definition, not the incremental bookkeeping.
 */
public final class BruteForceKneserNey {
  final int order;
  final List<Integer> history; // the last order-1 ids, most recent first
  final List<Map<List<Integer>, Integer>> counts =
      new ArrayList<>(); // per order k: gram (oldest first) -> c_k

  public BruteForceKneserNey(int order, List<Integer> stream) {
    this.order = order;
    List<Integer> padded = new ArrayList<>();
    for (int i = 0; i < order - 1; i++) padded.add(1);
    padded.addAll(stream);
    for (int k = 0; k <= order; k++) counts.add(new HashMap<>());
    // raw counts of the order-N windows; the set of their length-j suffixes for j < N
    List<Set<List<Integer>>> suffixes = new ArrayList<>();
    for (int k = 0; k <= order; k++) suffixes.add(new HashSet<>());
    for (int t = order - 1; t < padded.size(); t++) {
      List<Integer> window = padded.subList(t - order + 1, t + 1);
      counts.get(order).merge(List.copyOf(window), 1, Integer::sum);
      for (int j = 1; j <= order; j++)
        suffixes.get(j).add(List.copyOf(window.subList(order - j, order)));
    }
    // c_k(x) = number of distinct words u with (u x) among the length-(k+1) grams
    for (int k = 1; k < order; k++)
      for (List<Integer> y : suffixes.get(k + 1))
        counts.get(k).merge(List.copyOf(y.subList(1, k + 1)), 1, Integer::sum);
    history = new ArrayList<>();
    for (int i = padded.size() - 1; i >= padded.size() - (order - 1); i--)
      history.add(padded.get(i));
  }

  double discount(int k) {
    long n1 = counts.get(k).values().stream().filter(c -> c == 1).count(),
        n2 = counts.get(k).values().stream().filter(c -> c == 2).count();
    return n1 + n2 == 0 ? 0.5 : Math.min(0.95, Math.max(0.05, (double) n1 / (n1 + 2.0 * n2)));
  }

  public double probability(int w, int v) {
    double p = 1.0 / v;
    for (int k = 1; k <= order; k++) {
      List<Integer> h = new ArrayList<>();
      for (int i = k - 2; i >= 0; i--) h.add(history.get(i)); // the last k-1 words, oldest first
      int total = 0, types = 0;
      for (Map.Entry<List<Integer>, Integer> e : counts.get(k).entrySet()) {
        if (e.getKey().subList(0, k - 1).equals(h)) {
          total += e.getValue();
          types++;
        }
      }
      if (total == 0) continue;
      List<Integer> hw = new ArrayList<>(h);
      hw.add(w);
      int c = counts.get(k).getOrDefault(hw, 0);
      double d = discount(k);
      p = (Math.max(c - d, 0) + d * types * p) / total;
    }
    return p;
  }
}
