package io.streamvec.model.lm;

import java.util.Arrays;

/**
 * The rebuild of a full {@link NgramTrie}: keeps the top-order n-grams with count >= 2 (halve: all
 * counts halved, the zeros dropped), the contexts they need, and the lower orders' continuation
 * counts they imply; in place, O(events). The kept top-order events keep their id order, the lower
 * orders follow in the order the recount meets them, the contexts keep their id order.
 *
 * <p>As the tables' keys hold node serials, which a rebuild keeps, both tables stay in place: one
 * pass over each renumbers the values and drops what went ({@link LongIntTable#remap}), and the
 * lower orders are recounted along each event's suffix link instead of by lookups. When the serials
 * are to be renumbered by id (so that they stay below 2^31 in a long run), the tables are cleared
 * and filled again instead, the lower orders recounted by lookups: the same model either way.
 */
final class TrieRebuild {
  private final NgramTrie t;
  private int[] nodeMap, eventMap, scratch; // (capacity), allocated at the first rebuild

  TrieRebuild(NgramTrie trie) {
    this.t = trie;
  }

  /** Rebuilds the trie; renumberSerials: serials renumbered by id, the tables filled again. */
  void run(boolean halve, boolean renumberSerials) {
    if (nodeMap == null) {
      nodeMap = new int[t.capacity];
      eventMap = new int[t.capacity];
      scratch = new int[t.capacity];
    }
    // 1. surviving top-order events to the front, in id order; mark their contexts and suffixes
    int order = t.order;
    Arrays.fill(nodeMap, 0, t.nodes, -1);
    nodeMap[0] = 0;
    int top = 0;
    int[] eventCount = t.eventCount, eventNode = t.eventNode, nodeParent = t.nodeParent;
    for (int e = 0; e < t.events; e++) {
      eventMap[e] = -1;
      if (t.eventOrder[e] != order) continue;
      int c = halve ? eventCount[e] >> 1 : eventCount[e] > 1 ? eventCount[e] : 0;
      if (c == 0) continue;
      eventMap[e] = top;
      scratch[top] = t.eventSuffix[e]; // old id; eventSuffix[top] may be an old event still needed
      eventNode[top] = eventNode[e];
      t.eventSlot[top] = t.eventSlot[e];
      eventCount[top] = c;
      top++;
      for (int n = eventNode[e]; n > 0 && nodeMap[n] < 0; n = nodeParent[n]) nodeMap[n] = 1;
    }
    // 2. contexts renumbered in id order (a parent is older than its children)
    int kept = 1;
    for (int n = 1; n < t.nodes; n++) {
      if (nodeMap[n] < 0) continue;
      nodeParent[kept] = nodeMap[nodeParent[n]];
      t.nodeWord[kept] = t.nodeWord[n];
      t.nodeSerial[kept] = t.nodeSerial[n];
      nodeMap[n] = kept++;
    }
    t.nodes = kept;
    Arrays.fill(t.nodeStats, 0, 2 * t.nodes, 0);
    if (renumberSerials) Arrays.fill(t.slotNode, -1);
    else keepSlotNodes();
    Arrays.fill(t.targetHead, -1);
    Arrays.fill(t.n1, 0);
    Arrays.fill(t.n2, 0);
    if (renumberSerials) reindex(top);
    else recount(top);
  }

  /**
   * The per-slot one-word contexts that stay, under their new ids (their serials are kept):
   * cleared, every word's next count would look its context up again, and its early loads would
   * miss the next two-word context, whose key holds that context's serial.
   */
  private void keepSlotNodes() {
    long[] slotNode = t.slotNode;
    for (int s = 0; s < slotNode.length; s++) {
      long known = slotNode[s];
      if (known < 0) continue;
      int n = nodeMap[(int) known];
      slotNode[s] = n < 0 ? -1 : (known & 0xFFFF_FFFF_0000_0000L) | n;
    }
  }

  /**
   * 3. (serials kept): the lower orders recounted along the suffix links, the events re-linked,
   * both tables renumbered in place.
   */
  private void recount(int top) {
    int[] nodeStats = t.nodeStats, nodeParent = t.nodeParent;
    int[] eventNode = t.eventNode, eventSlot = t.eventSlot, eventCount = t.eventCount;
    int[] eventSuffix = t.eventSuffix;
    byte[] eventOrder = t.eventOrder;
    int next = top;
    for (int i = 0; i < top; i++) {
      int node = nodeMap[eventNode[i]], slot = eventSlot[i], c = eventCount[i];
      eventNode[i] = node;
      eventOrder[i] = (byte) t.order;
      nodeStats[2 * node] += c;
      nodeStats[2 * node + 1]++;
      int s = scratch[i]; // old id of the suffix event
      for (int k = t.order - 1; k >= 1; k--) {
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
    int events = t.events = next;
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
      t.eventNext[e] = t.targetHead[slot];
      t.targetHead[slot] = e;
      if (c == 1) t.n1[eventOrder[e]]++;
      else if (c == 2) t.n2[eventOrder[e]]++;
    }
    t.nodeIndex.remap(nodeMap, null);
    t.eventIndex.remap(eventMap, eventCount);
  }

  /**
   * 3. (serials renumbered by id): both tables cleared and filled again, the lower orders recounted
   * by lookups.
   */
  private void reindex(int top) {
    LongIntTable nodeIndex = t.nodeIndex, eventIndex = t.eventIndex;
    nodeIndex.clear();
    for (int n = 1; n < t.nodes; n++) {
      nodeIndex.putNew(((long) t.nodeParent[n] << 32) | (t.nodeWord[n] & 0xFFFF_FFFFL), n, n);
      t.nodeSerial[n] = n;
    }
    t.nextSerial = t.nodes;
    eventIndex.clear();
    t.events = 0;
    for (int i = 0; i < top; i++) {
      int node = nodeMap[t.eventNode[i]], slot = t.eventSlot[i], c = t.eventCount[i];
      t.newEvent(
          ((long) node << 32) | t.word(slot), -1, node, t.order, slot, c); // event i: in place
      t.nodeStats[2 * node] += c;
      t.nodeStats[2 * node + 1]++;
    }
    for (int i = 0; i < top; i++) {
      int node = t.eventNode[i], slot = t.eventSlot[i], linked = i;
      long wi = t.word(slot);
      for (int k = t.order - 1; k >= 1; k--) {
        node = t.nodeParent[node];
        long key = ((long) node << 32) | wi;
        int entry = eventIndex.find(key);
        boolean fresh = entry < 0;
        if (fresh) entry = t.newEvent(key, -1, node, k, slot, 0); // after the top-order ones
        int e = eventIndex.valueAt(entry);
        t.eventSuffix[linked] = e;
        t.setCount(entry, eventIndex.countAt(entry) + 1, k);
        t.nodeStats[2 * node]++;
        if (!fresh) break;
        t.nodeStats[2 * node + 1]++;
        linked = e;
      }
    }
  }
}
