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
 * <p>Storage: a trie of contexts (node = (parent node, word), most recent word first; the parent of
 * a context is its suffix) and events (context node, target) in open-addressing tables keyed by
 * word <em>instances</em> (a fresh number whenever a slot gets a new word, so an evicted word's
 * contexts are never reached again; its events as a target are removed at once). When the events
 * fill the capacity, {@link #rebuild} drops the top-order n-grams seen once (halving all counts if
 * that is not enough) and recomputes the lower orders' continuation counts from what is left, in
 * place. Nothing is allocated per token once the arrays have reached the capacity.
 *
 * <p>Node and event ids are renumbered by a rebuild (the checkpoint holds them), so the tables'
 * keys do not use node ids but node <em>serials</em> (a fresh number per node, kept in the context
 * index beside its id; the empty context's is 0): a rebuild then keeps both tables in place,
 * renumbering the values and dropping what went in one pass over each ({@link LongIntTable#remap}),
 * and recounts the lower orders by each event's link to its suffix event (same target, context one
 * word shorter) instead of by lookups. Neither serials nor links are state: a restored model
 * numbers its serials by id and finds the links again.
 */
public final class BoundedKneserNey {
  public static final int MAX_ORDER = 10;

  private final int order, capacity;
  private final double halfLife;
  private final int[] history; // (N-1) previous slots, most recent first
  private final int[] path; // (N) node of the context of the last j words of the history
  private final int[] pathSerial; // (N) serial of path[j]
  private boolean pathKnown; // path is up to date (not after a rebuild, a restore or an eviction)
  private boolean touchedAhead; // prefetch has started this count's loads
  private long touched; // sink of the early loads in touch, so they are not optimised away
  private int[] instance = new int[64]; // slot -> current word instance
  private int[] targetHead = new int[64]; // slot -> first event with this target, -1 = none
  private int nextInstance;
  private LongIntTable nodeIndex, eventIndex;
  private int[] nodeParent, nodeWord;
  private int[] nodeStats; // (2 per node) total, types: side by side, one cache miss per context
  private long[] slotNode =
      new long[64]; // slot -> serial << 32 | node of context (slot), -1 = look up
  private int nodes = 1; // node 0 = the empty context
  private int nextSerial = 1; // serial 0 = the empty context
  int serialLimit = 1 << 30; // a rebuild past it renumbers the serials by id (tests: 0 = always)
  private int[] eventNode, eventSlot, eventCount, eventNext;
  private int[] eventSuffix; // event -> the event of its suffix, -1 = none (order 1, or not live)
  private byte[] eventOrder;
  private int events;
  private final long[] n1, n2; // (N+1) events with count exactly 1, 2, per order
  private int[] nodeMap, eventMap, scratch; // (capacity) of rebuild, allocated at the first one
  private long counted, sinceDecay, rebuilds;
  private int lastContextTotal;

  public BoundedKneserNey(int order, int capacity, double halfLife) {
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
    this.n1 = new long[order + 1];
    this.n2 = new long[order + 1];
    int start = Math.min(capacity, 1 << 12);
    nodeIndex = new LongIntTable(start, capacity);
    eventIndex = new LongIntTable(start, capacity);
    nodeParent = new int[start];
    nodeWord = new int[start];
    nodeStats = new int[2 * start];
    nodeParent[0] = -1;
    eventNode = new int[start];
    eventSlot = new int[start];
    eventCount = new int[start];
    eventNext = new int[start];
    eventSuffix = new int[start];
    eventOrder = new byte[start];
    Arrays.fill(targetHead, -1);
    Arrays.fill(slotNode, -1);
    for (int s = 0; s < instance.length; s++) instance[s] = nextInstance++;
  }

  public int order() {
    return order;
  }

  public int capacity() {
    return capacity;
  }

  /** Stored n-grams of all orders. */
  public int storedNgrams() {
    return events;
  }

  public long rebuilds() {
    return rebuilds;
  }

  /** A slot got a new word: its events as a target go, history entries become &lt;unk&gt;. */
  public void slotAssigned(int slot, boolean reused) {
    ensureSlot(slot);
    if (!reused) return;
    for (int e = targetHead[slot]; e >= 0; e = eventNext[e]) {
      int node = eventNode[e];
      nodeStats[2 * node] -= eventCount[e];
      nodeStats[2 * node + 1]--;
      setCount(e, -1, 0, eventOrder[e]); // its key (old instance) is never looked up again
    }
    targetHead[slot] = -1;
    instance[slot] = nextInstance++;
    slotNode[slot] = -1;
    for (int i = 0; i < history.length; i++) {
      if (history[i] != slot) continue;
      history[i] = StreamingVocabulary.UNK;
      pathKnown = false;
    }
  }

  /** p(w | the current history) over v words; also sets {@link #lastContextTotal()}. */
  public double probability(int w, int v) {
    ensureSlot(w);
    return probability(w, v, history, true);
  }

  /**
   * p(w | hist) over v words for hist = slots, most recent first (read-only: safe for concurrent
   * readers when learning = false).
   */
  public double probability(int w, int v, int[] hist, boolean learning) {
    long wi = w < instance.length ? word(w) : 0xFFFF_FFFFL; // a slot never assigned: no counts
    double p = 1.0 / v;
    int node = 0, serial = 0, total = 0;
    for (int k = 1; k <= order; k++) {
      if (k > 1) {
        int s = hist[k - 2];
        int ctx = s < instance.length ? nodeIndex.find(((long) serial << 32) | word(s)) : -1;
        if (ctx < 0) {
          node = -1;
          break;
        }
        node = nodeIndex.valueAt(ctx);
        serial = nodeIndex.countAt(ctx);
      }
      total = nodeStats[2 * node];
      if (total == 0) continue;
      int entry = eventIndex.find(((long) serial << 32) | wi);
      int c = entry < 0 ? 0 : eventIndex.countAt(entry);
      double d = discount(k);
      p = (Math.max(c - d, 0) + d * nodeStats[2 * node + 1] * p) / total;
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
      int ctx = s < instance.length ? nodeIndex.find(((long) serial << 32) | word(s)) : -1;
      if (ctx < 0) return 0;
      node = nodeIndex.valueAt(ctx);
      serial = nodeIndex.countAt(ctx);
    }
    return nodeStats[2 * node];
  }

  /** Counts target after the current history, then appends it to the history. */
  public void count(int target) {
    ensureSlot(target);
    if (sinceDecay >= halfLife) {
      rebuild(true);
      sinceDecay = 0;
    }
    if (events + order > capacity || nodes + order > capacity) {
      rebuild(false);
      while (events + order > capacity - capacity / 4) rebuild(true);
    }
    if (!pathKnown) findPath();
    long wi = word(target);
    if (!touchedAhead) touch(target, wi);
    touchedAhead = false;
    int created = -1; // the event of order k + 1 made by this count: its suffix is found next
    for (int k = order; k >= 1; k--) {
      int node = path[k - 1];
      long key = ((long) pathSerial[k - 1] << 32) | wi;
      int entry = eventIndex.find(key);
      if (entry < 0) entry = newEvent(key, node, k, target, 0);
      int e = eventIndex.valueAt(entry), c = eventIndex.countAt(entry) + 1;
      if (created >= 0) eventSuffix[created] = e;
      setCount(e, entry, c, k);
      nodeStats[2 * node]++;
      if (c > 1) break; // not a new left extension: lower orders are unchanged
      nodeStats[2 * node + 1]++;
      created = e; // a found key has count >= 1: c = 1 is a new event
    }
    counted++;
    sinceDecay++;
    if (history.length > 0) {
      System.arraycopy(history, 0, history, 1, history.length - 1);
      history[0] = target;
    }
    if (nodes + order <= capacity) findPath();
    else pathKnown = false; // found (after a rebuild) by the next count
  }

  /**
   * Starts the cache misses of {@link #count}(target) now, so that they overlap with the caller's
   * work until then (the learner's step on the same token); changes nothing a count or a lookup
   * reads.
   */
  public void prefetch(int target) {
    if (!pathKnown || target >= instance.length) return;
    touch(target, word(target));
    touchedAhead = true;
  }

  /**
   * Starts the cache misses of this count together: the entries of the events (path[j], target) and
   * the totals of their contexts, and the index entry of the next history's two-word context (found
   * at the end of this count). None depends on another, so they overlap instead of following one
   * another: one cache miss's latency per token, not two.
   */
  private void touch(int target, long wi) {
    long sink = 0;
    for (int j = 0; j < order; j++)
      sink += eventIndex.touch(((long) pathSerial[j] << 32) | wi) + nodeStats[2 * path[j]];
    if (order > 2 && slotNode[target] >= 0)
      sink += nodeIndex.touch((slotNode[target] & 0xFFFF_FFFF_0000_0000L) | word(history[0]));
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
      long known = j == 1 ? slotNode[s] : -1;
      if (known < 0) {
        long key = ((long) pathSerial[j - 1] << 32) | word(s);
        int entry = nodeIndex.find(key);
        if (entry >= 0) known = ((long) nodeIndex.countAt(entry) << 32) | nodeIndex.valueAt(entry);
        else known = ((long) nextSerial << 32) | newNode(key, path[j - 1], word(s), nextSerial++);
        if (j == 1) slotNode[s] = known;
      }
      path[j] = (int) known;
      pathSerial[j] = (int) (known >>> 32);
    }
    pathKnown = true;
  }

  /**
   * Keeps the top-order n-grams with count >= 2 (halve: all counts halved, the zeros dropped), the
   * contexts they need, and the lower orders' continuation counts they imply; in place, O(events).
   * The kept top-order events keep their id order, the lower orders follow in the order the recount
   * meets them, the contexts keep their id order.
   */
  void rebuild(boolean halve) {
    rebuilds++;
    pathKnown = false;
    if (nodeMap == null) {
      nodeMap = new int[capacity];
      eventMap = new int[capacity];
      scratch = new int[capacity];
    }
    // 1. surviving top-order events to the front, in id order; mark their contexts and suffixes
    Arrays.fill(nodeMap, 0, nodes, -1);
    nodeMap[0] = 0;
    int top = 0;
    for (int e = 0; e < events; e++) {
      eventMap[e] = -1;
      if (eventOrder[e] != order) continue;
      int c = halve ? eventCount[e] >> 1 : eventCount[e] > 1 ? eventCount[e] : 0;
      if (c == 0) continue;
      eventMap[e] = top;
      scratch[top] = eventSuffix[e]; // old id; eventSuffix[top] may be an old event still needed
      eventNode[top] = eventNode[e];
      eventSlot[top] = eventSlot[e];
      eventCount[top] = c;
      top++;
      for (int n = eventNode[e]; n > 0 && nodeMap[n] < 0; n = nodeParent[n]) nodeMap[n] = 1;
    }
    // 2. contexts renumbered in id order (a parent is older than its children)
    int kept = 1;
    for (int n = 1; n < nodes; n++) {
      if (nodeMap[n] < 0) continue;
      nodeParent[kept] = nodeMap[nodeParent[n]];
      nodeWord[kept] = nodeWord[n];
      nodeMap[n] = kept++;
    }
    nodes = kept;
    Arrays.fill(nodeStats, 0, 2 * nodes, 0);
    Arrays.fill(slotNode, -1);
    Arrays.fill(targetHead, -1);
    Arrays.fill(n1, 0);
    Arrays.fill(n2, 0);
    if (nextSerial > serialLimit) reindex(top);
    else recount(top);
  }

  /**
   * Rebuild, 3. (serials kept): the lower orders recounted along the suffix links, the events
   * re-linked, both tables renumbered in place.
   */
  private void recount(int top) {
    int next = top;
    for (int i = 0; i < top; i++) {
      int node = nodeMap[eventNode[i]], slot = eventSlot[i], c = eventCount[i];
      eventNode[i] = node;
      eventOrder[i] = (byte) order;
      nodeStats[2 * node] += c;
      nodeStats[2 * node + 1]++;
      int s = scratch[i]; // old id of the suffix event
      for (int k = order - 1; k >= 1; k--) {
        node = nodeParent[node];
        nodeStats[2 * node]++;
        int e = eventMap[s];
        if (e >= 0) {
          eventCount[e]++;
          break;
        }
        e = next++;
        eventMap[s] = e;
        scratch[e] = s;
        eventNode[e] = node;
        eventSlot[e] = slot;
        eventOrder[e] = (byte) k;
        eventCount[e] = 1;
        nodeStats[2 * node + 1]++;
        s = eventSuffix[s];
      }
    }
    events = next;
    // scratch: a top-order event's old suffix, a lower one's own old id -> the new suffix
    for (int e = 0; e < events; e++) {
      int old = scratch[e];
      scratch[e] =
          e < top
              ? (old < 0 ? -1 : eventMap[old])
              : eventOrder[e] > 1 ? eventMap[eventSuffix[old]] : -1;
    }
    System.arraycopy(scratch, 0, eventSuffix, 0, events);
    for (int e = 0; e < events; e++) {
      int slot = eventSlot[e], c = eventCount[e];
      eventNext[e] = targetHead[slot];
      targetHead[slot] = e;
      if (c == 1) n1[eventOrder[e]]++;
      else if (c == 2) n2[eventOrder[e]]++;
    }
    nodeIndex.remap(nodeMap, null);
    eventIndex.remap(eventMap, eventCount);
  }

  /**
   * Rebuild, 3. (serials renumbered by id, so that they stay below 2^31 in a long run): both tables
   * cleared and filled again, the lower orders recounted by lookups.
   */
  private void reindex(int top) {
    nodeIndex.clear();
    for (int n = 1; n < nodes; n++)
      nodeIndex.putNew(((long) nodeParent[n] << 32) | (nodeWord[n] & 0xFFFF_FFFFL), n, n);
    nextSerial = nodes;
    eventIndex.clear();
    events = 0;
    for (int i = 0; i < top; i++) {
      int node = nodeMap[eventNode[i]], slot = eventSlot[i], c = eventCount[i];
      newEvent(((long) node << 32) | word(slot), node, order, slot, c); // event i: in place
      nodeStats[2 * node] += c;
      nodeStats[2 * node + 1]++;
    }
    for (int i = 0; i < top; i++) {
      int node = eventNode[i], slot = eventSlot[i], linked = i;
      long wi = word(slot);
      for (int k = order - 1; k >= 1; k--) {
        node = nodeParent[node];
        long key = ((long) node << 32) | wi;
        int entry = eventIndex.find(key);
        boolean fresh = entry < 0;
        if (fresh) entry = newEvent(key, node, k, slot, 0); // after the top-order ones
        int e = eventIndex.valueAt(entry);
        eventSuffix[linked] = e;
        setCount(e, entry, eventIndex.countAt(entry) + 1, k);
        nodeStats[2 * node]++;
        if (!fresh) break;
        nodeStats[2 * node + 1]++;
        linked = e;
      }
    }
  }

  /**
   * Sets the count of event e of order k, keeping the counts-of-counts of its order in step. The
   * count lives twice: in eventCount (by event, for rebuilds and checkpoints) and beside the key in
   * the event index at entry (what lookups read: no second cache miss); entry -1 = an event whose
   * key is never looked up again.
   */
  private void setCount(int e, int entry, int c, int k) {
    int old = entry >= 0 ? eventIndex.countAt(entry) : eventCount[e];
    if (old == 1) n1[k]--;
    else if (old == 2) n2[k]--;
    if (c == 1) n1[k]++;
    else if (c == 2) n2[k]++;
    eventCount[e] = c;
    if (entry >= 0) eventIndex.setCountAt(entry, c);
  }

  /** D_k = n1 / (n1 + 2 n2) (Ney et al.), kept inside [0.05, 0.95]; 0.5 before any evidence. */
  public double discount(int k) {
    long a = n1[k], b = n2[k];
    if (a + b == 0) return 0.5;
    return Math.min(0.95, Math.max(0.05, (double) a / (a + 2.0 * b)));
  }

  private int newNode(long key, int parent, long word, int serial) {
    if (nodes == nodeParent.length) {
      int n = Math.min(capacity, 2 * nodes);
      nodeParent = Arrays.copyOf(nodeParent, n);
      nodeWord = Arrays.copyOf(nodeWord, n);
      nodeStats = Arrays.copyOf(nodeStats, 2 * n);
    }
    nodeIndex.putNew(key, nodes, serial);
    nodeParent[nodes] = parent;
    nodeWord[nodes] = (int) word;
    nodeStats[2 * nodes] = 0; // a rebuild leaves old values above the kept nodes
    nodeStats[2 * nodes + 1] = 0;
    return nodes++;
  }

  /**
   * A new event with count c (its counts-of-counts are the caller's, through setCount); returns its
   * entry in the event index.
   */
  private int newEvent(long key, int node, int k, int slot, int c) {
    if (events == eventNode.length) {
      int n = Math.min(capacity, 2 * events);
      eventNode = Arrays.copyOf(eventNode, n);
      eventSlot = Arrays.copyOf(eventSlot, n);
      eventCount = Arrays.copyOf(eventCount, n);
      eventNext = Arrays.copyOf(eventNext, n);
      eventSuffix = Arrays.copyOf(eventSuffix, n);
      eventOrder = Arrays.copyOf(eventOrder, n);
    }
    int e = events++;
    int entry = eventIndex.putNew(key, e, 0);
    eventNode[e] = node;
    eventSlot[e] = slot;
    eventOrder[e] = (byte) k;
    eventCount[e] = 0;
    eventSuffix[e] = -1;
    eventNext[e] = targetHead[slot];
    targetHead[slot] = e;
    if (c > 0) setCount(e, entry, c, k);
    return entry;
  }

  /** The key part of the word now in slot: its instance as an unsigned 32-bit number. */
  private long word(int slot) {
    return instance[slot] & 0xFFFF_FFFFL;
  }

  private void ensureSlot(int slot) {
    if (slot < instance.length) return;
    int old = instance.length, cap = Math.max(old * 2, slot + 1);
    instance = Arrays.copyOf(instance, cap);
    targetHead = Arrays.copyOf(targetHead, cap);
    slotNode = Arrays.copyOf(slotNode, cap);
    for (int s = old; s < cap; s++) {
      instance[s] = nextInstance++;
      targetHead[s] = -1;
      slotNode[s] = -1;
    }
  }

  /** An independent copy in the same state (array copies: cheaper than write + read). */
  public BoundedKneserNey copy() {
    BoundedKneserNey m = new BoundedKneserNey(order, capacity, halfLife);
    System.arraycopy(history, 0, m.history, 0, history.length);
    System.arraycopy(path, 0, m.path, 0, path.length);
    System.arraycopy(pathSerial, 0, m.pathSerial, 0, path.length);
    m.pathKnown = pathKnown;
    m.instance = instance.clone();
    m.targetHead = targetHead.clone();
    m.slotNode = slotNode.clone();
    m.nextInstance = nextInstance;
    m.nodeIndex = nodeIndex.copy();
    m.eventIndex = eventIndex.copy();
    m.nodeParent = Arrays.copyOf(nodeParent, Math.max(nodes, 16));
    m.nodeWord = Arrays.copyOf(nodeWord, Math.max(nodes, 16));
    m.nodeStats = Arrays.copyOf(nodeStats, 2 * Math.max(nodes, 16));
    m.nodes = nodes;
    m.nextSerial = nextSerial;
    m.serialLimit = serialLimit;
    m.eventNode = Arrays.copyOf(eventNode, Math.max(events, 16));
    m.eventSlot = Arrays.copyOf(eventSlot, Math.max(events, 16));
    m.eventCount = Arrays.copyOf(eventCount, Math.max(events, 16));
    m.eventNext = Arrays.copyOf(eventNext, Math.max(events, 16));
    m.eventSuffix = Arrays.copyOf(eventSuffix, Math.max(events, 16));
    m.eventOrder = Arrays.copyOf(eventOrder, Math.max(events, 16));
    m.events = events;
    System.arraycopy(n1, 0, m.n1, 0, n1.length);
    System.arraycopy(n2, 0, m.n2, 0, n2.length);
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
    out.writeInt(nextInstance);
    out.writeInt(instance.length);
    for (int i = 0; i < instance.length; i++) {
      out.writeInt(instance[i]);
      out.writeInt(targetHead[i]);
    }
    out.writeInt(nodes);
    for (int n = 1; n < nodes; n++) {
      out.writeInt(nodeParent[n]);
      out.writeInt(nodeWord[n]);
    }
    for (int n = 0; n < 2 * nodes; n++) out.writeInt(nodeStats[n]); // total, types per node
    out.writeInt(events);
    for (int e = 0; e < events; e++) {
      out.writeInt(eventNode[e]);
      out.writeInt(eventSlot[e]);
      out.writeInt(eventCount[e]);
      out.writeInt(eventNext[e]);
      out.writeByte(eventOrder[e]);
    }
    for (int k = 0; k <= order; k++) {
      out.writeLong(n1[k]);
      out.writeLong(n2[k]);
    }
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
    m.nextInstance = in.readInt();
    int slots = in.readInt();
    if (slots < 0 || slots > (1 << 27)) throw new IOException("corrupt n-gram state: " + slots);
    m.instance = new int[slots];
    m.targetHead = new int[slots];
    m.slotNode = new long[slots];
    Arrays.fill(m.slotNode, -1);
    for (int i = 0; i < slots; i++) {
      m.instance[i] = in.readInt();
      m.targetHead[i] = in.readInt();
    }
    int nodes = in.readInt();
    if (nodes < 1 || nodes > capacity) throw new IOException("corrupt n-gram state: " + nodes);
    m.nodeParent = new int[Math.max(nodes, 16)];
    m.nodeWord = new int[m.nodeParent.length];
    m.nodeStats = new int[2 * m.nodeParent.length];
    m.nodeParent[0] = -1;
    for (int n = 1; n < nodes; n++) {
      m.nodeParent[n] = in.readInt();
      m.nodeWord[n] = in.readInt();
      m.nodeIndex.putNew(((long) m.nodeParent[n] << 32) | (m.nodeWord[n] & 0xFFFF_FFFFL), n, n);
    }
    m.nodes = nodes;
    m.nextSerial = nodes; // serial = id
    for (int n = 0; n < 2 * nodes; n++) m.nodeStats[n] = in.readInt();
    int events = in.readInt();
    if (events < 0 || events > capacity) throw new IOException("corrupt n-gram state: " + events);
    int cap = Math.max(events, 16);
    m.eventNode = new int[cap];
    m.eventSlot = new int[cap];
    m.eventCount = new int[cap];
    m.eventNext = new int[cap];
    m.eventSuffix = new int[cap];
    m.eventOrder = new byte[cap];
    for (int e = 0; e < events; e++) {
      m.eventNode[e] = in.readInt();
      m.eventSlot[e] = in.readInt();
      m.eventCount[e] = in.readInt();
      m.eventNext[e] = in.readInt();
      m.eventOrder[e] = in.readByte();
      // a count of 0 belongs to a word evicted since: its key is never looked up again
      if (m.eventCount[e] > 0)
        m.eventIndex.putNew(
            ((long) m.eventNode[e] << 32) | m.word(m.eventSlot[e]), e, m.eventCount[e]);
    }
    m.events = events;
    for (int e = 0; e < events; e++) {
      m.eventSuffix[e] = -1;
      if (m.eventCount[e] == 0 || m.eventOrder[e] < 2) continue;
      int n = m.eventNode[e], suffix = -1;
      if (n > 0 && n < nodes)
        suffix = m.eventIndex.get(((long) m.nodeParent[n] << 32) | m.word(m.eventSlot[e]));
      if (suffix < 0 || m.eventOrder[suffix] != m.eventOrder[e] - 1)
        throw new IOException("corrupt n-gram state: event " + e + " has no suffix event");
      m.eventSuffix[e] = suffix;
    }
    for (int k = 0; k <= order; k++) {
      m.n1[k] = in.readLong();
      m.n2[k] = in.readLong();
    }
    return m;
  }
}
