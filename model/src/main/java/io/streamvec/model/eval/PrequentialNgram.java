package io.streamvec.model.eval;

import io.streamvec.model.lm.LongIntTable;
import io.streamvec.model.vocab.StreamingVocabulary;
import java.util.Arrays;

/**
 * A reference for the learner's prequential perplexity: an interpolated Kneser-Ney n-gram model
 * (order N, default 3; one discount per order, estimated online as D = n1 / (n1 + 2 n2) from the
 * current counts-of-counts) run on the same stream of word ids, scored on exactly the tokens the
 * learner's meter scores (score, then count), normalised over the same current v words (closed
 * vocabulary: &lt;unk&gt; and &lt;/s&gt; are words like the others).
 *
 * <p>Model, for context h = (u_1 most recent, .., u_{k-1}) and its suffix h' (oldest word dropped):
 *
 * <pre>
 *   p_0(w)     = 1 / v
 *   p_k(w | h) = (max(c_k(h w) - D_k, 0) + D_k * types_k(h) * p_{k-1}(w | h')) / total_k(h)
 *                (= p_{k-1}(w | h') when total_k(h) = 0)
 * </pre>
 *
 * where c_N are raw counts and c_k (k &lt; N) continuation counts (distinct left words), total_k(h)
 * is the sum and types_k(h) the number of non-zero c_k(h .). As every live count is >= 1 >= D_k,
 * the probabilities over the v words sum to 1 exactly (up to rounding).
 *
 * <p>Storage: a trie of contexts in a hash table, keyed (parent node, word), most recent word
 * first, so one path gives the contexts of every order; and a table of events keyed (context node,
 * target word). Counting a token costs N-1 context lookups plus 1..N event updates (a new event at
 * order k adds a left extension at order k-1). Nothing is allocated per token except when a table
 * or array doubles; memory grows with the number of distinct n-grams (50-100 bytes each), which is
 * why the long-running app does not use it.
 *
 * <p><b>Slot reuse.</b> An evicted word's slot is given to a new word. Keys hold a word
 * <em>instance</em> (a fresh number every time a slot is assigned), not the slot, so contexts
 * holding the old word are never reached again. Every event whose target is the old word (all
 * orders) is on a per-slot list and is removed when the slot is reused: its count leaves its
 * context's total and types, so the new word starts from zero counts and the distributions stay
 * normalised. Left as is (the small bias): continuation counts that the old word contributed as a
 * <em>left</em> neighbour (e.g. "old w" made N1+(. w) one larger) — that word did occur; the tables
 * of unreachable contexts (memory only); and, like the learner, history entries holding the old
 * slot become &lt;unk&gt;. The removed counts are not moved to &lt;unk&gt; (which the evicted
 * word's later occurrences become), so &lt;unk&gt; is a little under-predicted right after
 * evictions, as it is for the learner, whose &lt;unk&gt; row does not inherit the evicted row.
 */
public final class PrequentialNgram implements StreamObserver {
  private final int order;
  private final int[] history; // (N-1) previous ids, most recent first
  private final int[] path; // (N) scratch: context node of each order, -1 = absent
  private int[] instance = new int[64]; // slot -> current word instance
  private int[] targetHead = new int[64]; // slot -> first event with this target, -1 = none
  private int nextInstance;
  private final LongIntTable nodeIndex = new LongIntTable(1 << 12);
  private int[] nodeTotal = new int[1 << 10], nodeTypes = new int[1 << 10];
  private int nodes = 1; // node 0 = the empty context
  private final LongIntTable eventIndex = new LongIntTable(1 << 12);
  private int[] eventCount = new int[1 << 10],
      eventNode = new int[1 << 10],
      eventNext = new int[1 << 10];
  private byte[] eventOrder = new byte[1 << 10];
  private int events;
  private final long[] n1, n2; // (N+1) events with count exactly 1, 2, per order
  private final float[] windowBits; // (W) ring of the last W scored tokens' bits
  private int head, filled;
  private double windowSum, sumBits, sumSqBits;
  private long scored, counted;

  public PrequentialNgram(int order, int window) {
    if (order < 1 || order > 10)
      throw new IllegalArgumentException("n-gram order must be in [1, 10], got " + order);
    if (window < 1) throw new IllegalArgumentException("window must be >= 1, got " + window);
    this.order = order;
    this.history = new int[order - 1];
    Arrays.fill(
        history,
        StreamingVocabulary.EOS); // like the learner: the stream starts after a sentence end
    this.path = new int[order];
    this.n1 = new long[order + 1];
    this.n2 = new long[order + 1];
    this.windowBits = new float[window];
    Arrays.fill(targetHead, -1);
    for (int s = 0; s < instance.length; s++) instance[s] = nextInstance++;
  }

  public int order() {
    return order;
  }

  @Override
  public void slotAssigned(int slot, boolean reused) {
    ensureSlot(slot);
    if (!reused) return;
    for (int e = targetHead[slot]; e >= 0; e = eventNext[e]) {
      int node = eventNode[e];
      nodeTotal[node] -= eventCount[e]; // every listed event has a count >= 1
      nodeTypes[node]--;
      setCount(e, 0);
    }
    targetHead[slot] = -1;
    instance[slot] = nextInstance++;
    for (int i = 0; i < history.length; i++)
      if (history[i] == slot) history[i] = StreamingVocabulary.UNK;
  }

  @Override
  public void token(int target, int v, boolean scored) {
    ensureSlot(target);
    if (scored) record(-Math.log(probability(target, v)) / Math.log(2));
    count(target);
  }

  /** p(w | the current history) over v words (for tests: it sums to 1 over w in [0, v)). */
  public double probability(int w, int v) {
    ensureSlot(w);
    findPath(false);
    long wi = word(w);
    double p = 1.0 / v;
    for (int k = 1; k <= order && path[k - 1] >= 0; k++) {
      int node = path[k - 1];
      int total = nodeTotal[node];
      if (total == 0) continue;
      int e = eventIndex.get(((long) node << 32) | wi);
      int c = e < 0 ? 0 : eventCount[e];
      double d = discount(k);
      p = (Math.max(c - d, 0) + d * nodeTypes[node] * p) / total;
    }
    return p;
  }

  /** Counts target after the current history, then appends it to the history. */
  private void count(int target) {
    findPath(true);
    long wi = word(target);
    for (int k = order; k >= 1; k--) {
      int node = path[k - 1];
      long key = ((long) node << 32) | wi;
      int e = eventIndex.get(key);
      if (e < 0) e = newEvent(key, node, k, target);
      setCount(e, eventCount[e] + 1);
      nodeTotal[node]++;
      if (eventCount[e] > 1) break; // not a new left extension: lower orders are unchanged
      nodeTypes[node]++;
    }
    counted++;
    if (history.length > 0) {
      System.arraycopy(history, 0, history, 1, history.length - 1);
      history[0] = target;
    }
  }

  /** path[j] = node of the context of the last j words (j = 0: the empty context). */
  private void findPath(boolean create) {
    path[0] = 0;
    for (int j = 1; j < order; j++) {
      int parent = path[j - 1];
      if (parent < 0) {
        path[j] = -1;
        continue;
      }
      long key = ((long) parent << 32) | word(history[j - 1]);
      int node = nodeIndex.get(key);
      if (node < 0 && create) node = newNode(key);
      path[j] = node;
    }
  }

  /** Sets an event's count, keeping the counts-of-counts of its order in step. */
  private void setCount(int e, int c) {
    int old = eventCount[e];
    int k = eventOrder[e];
    if (old == 1) n1[k]--;
    else if (old == 2) n2[k]--;
    if (c == 1) n1[k]++;
    else if (c == 2) n2[k]++;
    eventCount[e] = c;
  }

  /** D_k = n1 / (n1 + 2 n2) (Ney et al.), kept inside [0.05, 0.95]; 0.5 before any evidence. */
  double discount(int k) {
    long a = n1[k], b = n2[k];
    if (a + b == 0) return 0.5;
    return Math.min(0.95, Math.max(0.05, (double) a / (a + 2.0 * b)));
  }

  private int newNode(long key) {
    if (nodes == nodeTotal.length) {
      nodeTotal = Arrays.copyOf(nodeTotal, nodes * 2);
      nodeTypes = Arrays.copyOf(nodeTypes, nodes * 2);
    }
    nodeIndex.putNew(key, nodes);
    return nodes++;
  }

  private int newEvent(long key, int node, int k, int target) {
    if (events == eventCount.length) {
      eventCount = Arrays.copyOf(eventCount, events * 2);
      eventNode = Arrays.copyOf(eventNode, events * 2);
      eventNext = Arrays.copyOf(eventNext, events * 2);
      eventOrder = Arrays.copyOf(eventOrder, events * 2);
    }
    int e = events++;
    eventIndex.putNew(key, e);
    eventNode[e] = node;
    eventOrder[e] = (byte) k;
    eventNext[e] = targetHead[target];
    targetHead[target] = e;
    return e;
  }

  /**
   * The key part of the word now in slot: its instance as an unsigned 32-bit number (2^32
   * admissions before reuse).
   */
  private long word(int slot) {
    return instance[slot] & 0xFFFF_FFFFL;
  }

  private void ensureSlot(int slot) {
    if (slot < instance.length) return;
    int old = instance.length, cap = Math.max(old * 2, slot + 1);
    instance = Arrays.copyOf(instance, cap);
    targetHead = Arrays.copyOf(targetHead, cap);
    for (int s = old; s < cap; s++) {
      instance[s] = nextInstance++;
      targetHead[s] = -1;
    }
  }

  private void record(double bits) {
    if (filled == windowBits.length) windowSum -= windowBits[head];
    else filled++;
    windowBits[head] = (float) bits;
    windowSum += (float) bits;
    head = (head + 1) % windowBits.length;
    scored++;
    sumBits += bits;
    sumSqBits += bits * bits;
  }

  /** Tokens scored (the learner's scored tokens since this baseline was attached). */
  public long scored() {
    return scored;
  }

  /** Tokens counted. */
  public long counted() {
    return counted;
  }

  /**
   * Distinct n-grams of all orders stored (removed ones included; contexts are about a third more).
   */
  public long storedNgrams() {
    return events;
  }

  public double crossEntropyBits() {
    return scored == 0 ? Double.NaN : sumBits / scored;
  }

  public double perplexity() {
    return Math.pow(2, crossEntropyBits());
  }

  /** Ends of the 95% interval of the perplexity: 2^(mean bits -+ 1.96 standard error). */
  public double perplexityBound(int sign) {
    if (scored < 2) return Double.NaN;
    double mean = sumBits / scored;
    double var = Math.max(0, (sumSqBits - scored * mean * mean) / (scored - 1));
    return Math.pow(2, mean + sign * 1.959964 * Math.sqrt(var / scored));
  }

  public double windowCrossEntropyBits() {
    return filled == 0 ? Double.NaN : windowSum / filled;
  }

  public double windowPerplexity() {
    return Math.pow(2, windowCrossEntropyBits());
  }
}
