package io.streamvec.model.lm;

import java.util.Arrays;

/**
 * The storage of {@link BoundedKneserNey}: a trie of contexts (node = (parent node, word), most
 * recent word first; the parent of a context is its suffix) and events (context node, target), in
 * arrays by id and in open-addressing tables keyed by word <em>instances</em> (a fresh number
 * whenever a slot gets a new word, so an evicted word's contexts are never reached again; its
 * events as a target are removed at once). The model's arithmetic, its history and its rebuilds
 * ({@link TrieRebuild}) are elsewhere; the checkpoint bytes are {@link NgramTrieFormat}'s.
 *
 * <p>Node and event ids are renumbered by a rebuild (the checkpoint holds them), so the tables'
 * keys do not use node ids but node <em>serials</em> (a fresh number per node, kept in the context
 * index beside its id; the empty context's is 0). Each event links to its suffix event (same
 * target, context one word shorter), which a rebuild follows instead of looking it up. Neither
 * serials nor links are state: a restored trie numbers its serials by id and finds the links again.
 * Fields are the model's and the rebuild's to read and write directly (the hot path).
 */
final class NgramTrie {
  final int order, capacity;
  int[] instance = new int[64]; // slot -> current word instance
  int[] targetHead = new int[64]; // slot -> first event with this target, -1 = none
  long[] slotNode = new long[64]; // slot -> serial << 32 | node of context (slot), -1 = look up
  int nextInstance;
  LongIntTable nodeIndex, eventIndex;
  int[] nodeParent, nodeWord;
  int[] nodeSerial; // node -> its serial (the key part of its contexts and events)
  int[] nodeStats; // (2 per node) total, types: side by side, one cache miss per context
  int nodes = 1; // node 0 = the empty context
  int nextSerial = 1; // serial 0 = the empty context
  int[] eventNode, eventSlot, eventNext;
  int[] eventCount; // by event: the top order's always, the lower orders' as of syncCounts
  int[] eventSuffix; // event -> the event of its suffix, -1 = none (order 1, or not live)
  byte[] eventOrder;
  int events;
  final long[] n1, n2; // (N+1) events with count exactly 1, 2, per order

  NgramTrie(int order, int capacity) {
    this.order = order;
    this.capacity = capacity;
    this.n1 = new long[order + 1];
    this.n2 = new long[order + 1];
    int start = Math.min(capacity, 1 << 12);
    nodeIndex = new LongIntTable(start, capacity);
    eventIndex = new LongIntTable(start, capacity);
    nodeParent = new int[start];
    nodeWord = new int[start];
    nodeSerial = new int[start];
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

  /**
   * Removes the events with target slot (their counts leave their contexts' totals and types) and
   * gives the slot a fresh instance, so that no key of its old word is looked up again.
   */
  void dropTarget(int slot) {
    long word = word(slot);
    for (int e = targetHead[slot]; e >= 0; e = eventNext[e]) {
      int node = eventNode[e];
      int entry = eventIndex.find(((long) nodeSerial[node] << 32) | word);
      nodeStats[2 * node] -= eventIndex.countAt(entry);
      nodeStats[2 * node + 1]--;
      setCount(entry, 0, eventOrder[e]); // its key (old instance) is never looked up again
      eventCount[e] = 0;
    }
    targetHead[slot] = -1;
    instance[slot] = nextInstance++;
    slotNode[slot] = -1;
  }

  /**
   * Sets the count of the event at entry of the event index, of order k, keeping the
   * counts-of-counts of its order in step. The count lives beside the key (what lookups read and
   * counting updates: one cache line per event). Its by-event copy in eventCount is the caller's to
   * keep for the top order (a rebuild reads those); the lower orders' are recounted by a rebuild
   * and brought up to date for a checkpoint by {@link #syncCounts}, not at every count.
   */
  void setCount(int entry, int c, int k) {
    int old = eventIndex.countAt(entry);
    if (old == 1) n1[k]--;
    else if (old == 2) n2[k]--;
    if (c == 1) n1[k]++;
    else if (c == 2) n2[k]++;
    eventIndex.setCountAt(entry, c);
  }

  /**
   * eventCount[e] = the count of every event e: the event index's (an evicted target's events have
   * count 0 there, their keys are never looked up again; an event not in the index has had count 0
   * since it was read).
   */
  void syncCounts() {
    eventIndex.copyCountsTo(eventCount);
  }

  /** D_k = n1 / (n1 + 2 n2) (Ney et al.), kept inside [0.05, 0.95]; 0.5 before any evidence. */
  double discount(int k) {
    long a = n1[k], b = n2[k];
    if (a + b == 0) return 0.5;
    return Math.min(0.95, Math.max(0.05, (double) a / (a + 2.0 * b)));
  }

  /**
   * A new context (parent, word) under key (its home in the context index, or -1), a new serial.
   */
  int newNode(long key, int home, int parent, long word) {
    int serial = nextSerial++;
    if (nodes == nodeParent.length) {
      int n = Math.min(capacity, 2 * nodes);
      nodeParent = Arrays.copyOf(nodeParent, n);
      nodeWord = Arrays.copyOf(nodeWord, n);
      nodeSerial = Arrays.copyOf(nodeSerial, n);
      nodeStats = Arrays.copyOf(nodeStats, 2 * n);
    }
    nodeIndex.putNew(key, home, nodes, serial);
    nodeParent[nodes] = parent;
    nodeWord[nodes] = (int) word;
    nodeSerial[nodes] = serial;
    nodeStats[2 * nodes] = 0; // a rebuild leaves old values above the kept nodes
    nodeStats[2 * nodes + 1] = 0;
    return nodes++;
  }

  /**
   * A new event with count c (its counts-of-counts kept in step); returns its entry in the event
   * index.
   */
  int newEvent(long key, int home, int node, int k, int slot, int c) {
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
    int entry = eventIndex.putNew(key, home, e, 0);
    eventNode[e] = node;
    eventSlot[e] = slot;
    eventOrder[e] = (byte) k;
    eventCount[e] = c;
    eventSuffix[e] = -1;
    eventNext[e] = targetHead[slot];
    targetHead[slot] = e;
    if (c > 0) setCount(entry, c, k);
    return entry;
  }

  /** The key part of the word now in slot: its instance as an unsigned 32-bit number. */
  long word(int slot) {
    return instance[slot] & 0xFFFF_FFFFL;
  }

  void ensureSlot(int slot) {
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
  NgramTrie copy() {
    NgramTrie m = new NgramTrie(order, capacity);
    m.instance = instance.clone();
    m.targetHead = targetHead.clone();
    m.slotNode = slotNode.clone();
    m.nextInstance = nextInstance;
    m.nodeIndex = nodeIndex.copy();
    m.eventIndex = eventIndex.copy();
    m.nodeParent = Arrays.copyOf(nodeParent, Math.max(nodes, 16));
    m.nodeWord = Arrays.copyOf(nodeWord, Math.max(nodes, 16));
    m.nodeSerial = Arrays.copyOf(nodeSerial, Math.max(nodes, 16));
    m.nodeStats = Arrays.copyOf(nodeStats, 2 * Math.max(nodes, 16));
    m.nodes = nodes;
    m.nextSerial = nextSerial;
    m.eventNode = Arrays.copyOf(eventNode, Math.max(events, 16));
    m.eventSlot = Arrays.copyOf(eventSlot, Math.max(events, 16));
    m.eventCount = Arrays.copyOf(eventCount, Math.max(events, 16));
    m.eventNext = Arrays.copyOf(eventNext, Math.max(events, 16));
    m.eventSuffix = Arrays.copyOf(eventSuffix, Math.max(events, 16));
    m.eventOrder = Arrays.copyOf(eventOrder, Math.max(events, 16));
    m.events = events;
    System.arraycopy(n1, 0, m.n1, 0, n1.length);
    System.arraycopy(n2, 0, m.n2, 0, n2.length);
    return m;
  }
}
