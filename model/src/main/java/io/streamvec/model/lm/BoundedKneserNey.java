package io.streamvec.model.lm;

import io.streamvec.model.vocab.StreamingVocabulary;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * An interpolated Kneser-Ney n-gram model of the learner's stream of word ids with bounded memory,
 * part of the learner's state: at most {@code capacity} stored n-grams (events), counts halved
 * every half-life tokens like the vocabulary's, so it follows the stream and fits a long-running
 * app.
 *
 * <p>Model (as {@link io.streamvec.model.eval.PrequentialNgram}, the unbounded reference), for
 * context h = (u_1 most recent, .., u_{k-1}) and its suffix h' (oldest word dropped):
 *
 * <pre>
 *   p_0(w)     = 1 / v
 *   p_k(w | h) = (max(c_k(h w) - D_k, 0) + D_k * types_k(h) * p_{k-1}(w | h')) / total_k(h)
 * </pre>
 *
 * c_N are raw counts, c_k (k &lt; N) continuation counts (distinct left words), D_k = n1 / (n1 + 2
 * n2). Every live count is >= 1 >= D_k, so p sums to 1 over the v words.
 *
 * <p>Storage: an {@link NgramTrie} of contexts and events. When the events fill the capacity,
 * {@link #rebuild} drops the top-order n-grams seen once (halving all counts if that is not enough)
 * and recomputes the lower orders' continuation counts from what is left, in place ({@link
 * TrieRebuild}). Nothing is allocated per token once the arrays have reached the capacity.
 */
public final class BoundedKneserNey {
  public static final int MAX_ORDER = 10;

  private final int order, capacity;
  private final double halfLife;
  private final int[] history; // (N-1) previous slots, most recent first
  private final int[] path; // (N) node of the context of the last j words of the history
  private final int[] pathSerial; // (N) serial of path[j]
  private boolean pathKnown; // path is up to date (not after a rebuild, a restore or an eviction)
  private boolean touchedAhead; // prefetch has started the loads of a count of touchedTarget
  private int touchedTarget;
  private long touched; // sink of the early loads in touch, so they are not optimised away
  private final int[] eventHome; // (N) home in the event index of (path[j], target), by touch
  private int eventGeneration; // the event index's generation of eventHome
  private long nodeKey = -1; // the next history's two-word context touched (-1 = none), its home
  private int nodeHome, nodeGeneration;
  int serialLimit = 1 << 30; // a rebuild past it renumbers the serials by id (tests: 0 = always)
  private final NgramTrie t;
  private final TrieRebuild rebuilder;
  private long counted, sinceDecay, rebuilds;
  private int lastContextTotal;

  public BoundedKneserNey(int order, int capacity, double halfLife) {
    this(order, capacity, halfLife, null);
  }

  private BoundedKneserNey(int order, int capacity, double halfLife, NgramTrie trie) {
    if (order < 1 || order > MAX_ORDER)
      throw new IllegalArgumentException(
          "n-gram order must be in [1, " + MAX_ORDER + "], got " + order);
    if (capacity < 16 * order)
      throw new IllegalArgumentException("n-gram capacity must be >= " + 16 * order);
    this.order = order;
    this.capacity = capacity;
    this.halfLife = halfLife;
    this.history = new int[order - 1];
    Arrays.fill(history, StreamingVocabulary.EOS); // the learner's stream starts after a </s>
    this.path = new int[order];
    this.pathSerial = new int[order];
    this.eventHome = new int[order];
    this.t = trie != null ? trie : new NgramTrie(order, capacity);
    this.rebuilder = new TrieRebuild(t);
  }

  public int order() {
    return order;
  }

  public int capacity() {
    return capacity;
  }

  /** Stored n-grams of all orders. */
  public int storedNgrams() {
    return t.events;
  }

  public long rebuilds() {
    return rebuilds;
  }

  /** A slot got a new word: its events as a target go, history entries become &lt;unk&gt;. */
  public void slotAssigned(int slot, boolean reused) {
    t.ensureSlot(slot);
    if (!reused) return;
    t.dropTarget(slot);
    touchedAhead = false; // the slot's keys changed
    for (int i = 0; i < history.length; i++) {
      if (history[i] != slot) continue;
      history[i] = StreamingVocabulary.UNK;
      pathKnown = false;
    }
  }

  /** p(w | the current history) over v words; also sets {@link #lastContextTotal()}. */
  public double probability(int w, int v) {
    t.ensureSlot(w);
    return probability(w, v, history, true);
  }

  /**
   * p(w | hist) over v words for hist = slots, most recent first (read-only: safe for concurrent
   * readers when learning = false).
   */
  public double probability(int w, int v, int[] hist, boolean learning) {
    long wi = w < t.instance.length ? t.word(w) : 0xFFFF_FFFFL; // a slot never assigned: no counts
    double p = 1.0 / v;
    int node = 0, serial = 0, total = 0;
    for (int k = 1; k <= order; k++) {
      if (k > 1) {
        int s = hist[k - 2];
        int ctx = s < t.instance.length ? t.nodeIndex.find(((long) serial << 32) | t.word(s)) : -1;
        if (ctx < 0) {
          node = -1;
          break;
        }
        node = t.nodeIndex.valueAt(ctx);
        serial = t.nodeIndex.countAt(ctx);
      }
      total = t.nodeStats[2 * node];
      if (total == 0) continue;
      int entry = t.eventIndex.find(((long) serial << 32) | wi);
      int c = entry < 0 ? 0 : t.eventIndex.countAt(entry);
      double d = t.discount(k);
      p = (Math.max(c - d, 0) + d * t.nodeStats[2 * node + 1] * p) / total;
    }
    if (learning) lastContextTotal = node < 0 ? 0 : total;
    return p;
  }

  /** Count of the longest context found by the last learning {@link #probability(int, int)}. */
  public int lastContextTotal() {
    return lastContextTotal;
  }

  /** Count of the full (N-1)-word context hist, 0 if unseen. */
  public int contextTotal(int[] hist) {
    int node = 0, serial = 0;
    for (int j = 0; j < order - 1; j++) {
      int s = hist[j];
      int ctx = s < t.instance.length ? t.nodeIndex.find(((long) serial << 32) | t.word(s)) : -1;
      if (ctx < 0) return 0;
      node = t.nodeIndex.valueAt(ctx);
      serial = t.nodeIndex.countAt(ctx);
    }
    return t.nodeStats[2 * node];
  }

  /** Counts target after the current history, then appends it to the history. */
  public void count(int target) {
    t.ensureSlot(target);
    if (sinceDecay >= halfLife) {
      rebuild(true);
      sinceDecay = 0;
    }
    if (t.events + order > capacity || t.nodes + order > capacity) {
      rebuild(false);
      while (t.events + order > capacity - capacity / 4) rebuild(true);
    }
    if (!pathKnown) findPath();
    long wi = t.word(target);
    if (!touchedAhead || touchedTarget != target) touch(target, wi); // its homes are for target
    touchedAhead = false;
    int created = -1; // the event of order k + 1 made by this count: its suffix is found next
    LongIntTable index = t.eventIndex;
    for (int k = order; k >= 1; k--) {
      int node = path[k - 1];
      long key = ((long) pathSerial[k - 1] << 32) | wi;
      int home = index.generation() == eventGeneration ? eventHome[k - 1] : index.home(key);
      int entry = index.find(key, home);
      if (entry < 0) entry = t.newEvent(key, home, node, k, target, 0);
      int e = index.valueAt(entry), c = index.countAt(entry) + 1;
      if (created >= 0) t.eventSuffix[created] = e;
      t.setCount(entry, c, k);
      if (k == order) t.eventCount[e] = c; // what a rebuild reads
      t.nodeStats[2 * node]++;
      if (c > 1) break; // not a new left extension: lower orders are unchanged
      t.nodeStats[2 * node + 1]++;
      created = e; // a found key has count >= 1: c = 1 is a new event
    }
    counted++;
    sinceDecay++;
    if (history.length > 0) {
      System.arraycopy(history, 0, history, 1, history.length - 1);
      history[0] = target;
    }
    if (t.nodes + order <= capacity) findPath();
    else pathKnown = false; // found (after a rebuild) by the next count
  }

  /**
   * Starts the cache misses of {@link #count}(target) now, so that they overlap with the caller's
   * work until then (the learner's step on the same token); changes nothing a count or a lookup
   * reads.
   */
  public void prefetch(int target) {
    if (!pathKnown || target >= t.instance.length) return;
    touch(target, t.word(target));
    touchedAhead = true;
    touchedTarget = target;
  }

  /**
   * Starts the cache misses of this count together: the entries of the events (path[j], target) and
   * the totals of their contexts, and the index entry of the next history's two-word context (found
   * at the end of this count). None depends on another, so they overlap instead of following one
   * another: one cache miss's latency per token, not two. Their homes are kept for count and
   * findPath, which then do not hash the keys again.
   */
  private void touch(int target, long wi) {
    long sink = 0;
    LongIntTable events = t.eventIndex, nodes = t.nodeIndex;
    eventGeneration = events.generation();
    for (int j = 0; j < order; j++) {
      int home = events.home(((long) pathSerial[j] << 32) | wi);
      eventHome[j] = home;
      sink += events.touchAt(home) + t.nodeStats[2 * path[j]];
    }
    nodeKey = -1;
    if (order > 2 && t.slotNode[target] >= 0) {
      nodeKey = (t.slotNode[target] & 0xFFFF_FFFF_0000_0000L) | t.word(history[0]);
      nodeHome = nodes.home(nodeKey);
      nodeGeneration = nodes.generation();
      sink += nodes.touchAt(nodeHome);
    }
    touched += sink;
  }

  /**
   * path[j] = node of the context of the last j words of the history (created when absent); the
   * one-word contexts come from a per-slot cache (small enough to stay in the CPU caches). Found
   * right after the history moves, so that the next count's loads need no lookup first.
   */
  private void findPath() {
    path[0] = 0;
    pathSerial[0] = 0;
    for (int j = 1; j < order; j++) {
      int s = history[j - 1];
      long known = j == 1 ? t.slotNode[s] : -1;
      if (known < 0) {
        long key = ((long) pathSerial[j - 1] << 32) | t.word(s);
        LongIntTable nodes = t.nodeIndex;
        boolean early = key == nodeKey && nodes.generation() == nodeGeneration; // touched
        int home = early ? nodeHome : nodes.home(key), entry = nodes.find(key, home);
        if (entry >= 0) known = ((long) nodes.countAt(entry) << 32) | nodes.valueAt(entry);
        else known = ((long) t.nextSerial << 32) | t.newNode(key, home, path[j - 1], t.word(s));
        if (j == 1) t.slotNode[s] = known;
      }
      path[j] = (int) known;
      pathSerial[j] = (int) (known >>> 32);
    }
    pathKnown = true;
  }

  /**
   * Drops the top-order n-grams seen once (halve: halves every count instead) and recounts the
   * lower orders ({@link TrieRebuild}); the path is found again by the next count.
   */
  void rebuild(boolean halve) {
    rebuilds++;
    pathKnown = false;
    touchedAhead = false; // the path's keys change
    rebuilder.run(halve, t.nextSerial > serialLimit);
  }

  /** D_k = n1 / (n1 + 2 n2) (Ney et al.), kept inside [0.05, 0.95]; 0.5 before any evidence. */
  public double discount(int k) {
    return t.discount(k);
  }

  /** An independent copy in the same state (array copies: cheaper than write + read). */
  public BoundedKneserNey copy() {
    BoundedKneserNey m = new BoundedKneserNey(order, capacity, halfLife, t.copy());
    System.arraycopy(history, 0, m.history, 0, history.length);
    System.arraycopy(path, 0, m.path, 0, path.length);
    System.arraycopy(pathSerial, 0, m.pathSerial, 0, path.length);
    m.pathKnown = pathKnown;
    m.serialLimit = serialLimit;
    m.counted = counted;
    m.sinceDecay = sinceDecay;
    m.rebuilds = rebuilds;
    m.lastContextTotal = lastContextTotal;
    return m;
  }

  public void write(DataOutput out) throws IOException {
    out.writeInt(order);
    out.writeInt(capacity);
    out.writeDouble(halfLife);
    out.writeLong(counted);
    out.writeLong(sinceDecay);
    out.writeLong(rebuilds);
    for (int s : history) out.writeInt(s);
    NgramTrieFormat.write(t, out);
  }

  /** Reads what {@link #write} wrote; lookups then give the same answers as the original's. */
  public static BoundedKneserNey read(DataInput in) throws IOException {
    int order = in.readInt(), capacity = in.readInt();
    double halfLife = in.readDouble();
    if (order < 1 || order > MAX_ORDER || capacity < 16 * order || capacity > (1 << 28))
      throw new IOException("corrupt n-gram state: order " + order + ", capacity " + capacity);
    BoundedKneserNey m = new BoundedKneserNey(order, capacity, halfLife);
    m.counted = in.readLong();
    m.sinceDecay = in.readLong();
    m.rebuilds = in.readLong();
    for (int i = 0; i < m.history.length; i++) m.history[i] = in.readInt();
    NgramTrieFormat.read(in, m.t);
    return m;
  }
}
