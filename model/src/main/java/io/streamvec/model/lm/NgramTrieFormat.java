package io.streamvec.model.lm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The checkpoint bytes of an {@link NgramTrie} (the part of {@link BoundedKneserNey}'s after its
 * history): slots, contexts, events by id, counts-of-counts. What is derived is not written: the
 * tables are filled again on reading (serial = id) and the suffix links found again by lookups.
 */
final class NgramTrieFormat {
  private NgramTrieFormat() {}

  /** Writes t (bringing its by-event counts up to date first). */
  static void write(NgramTrie t, DataOutput out) throws IOException {
    t.syncCounts();
    out.writeInt(t.nextInstance);
    out.writeInt(t.instance.length);
    for (int i = 0; i < t.instance.length; i++) {
      out.writeInt(t.instance[i]);
      out.writeInt(t.targetHead[i]);
    }
    out.writeInt(t.nodes);
    for (int n = 1; n < t.nodes; n++) {
      out.writeInt(t.nodeParent[n]);
      out.writeInt(t.nodeWord[n]);
    }
    for (int n = 0; n < 2 * t.nodes; n++) out.writeInt(t.nodeStats[n]); // total, types per node
    out.writeInt(t.events);
    for (int e = 0; e < t.events; e++) {
      out.writeInt(t.eventNode[e]);
      out.writeInt(t.eventSlot[e]);
      out.writeInt(t.eventCount[e]);
      out.writeInt(t.eventNext[e]);
      out.writeByte(t.eventOrder[e]);
    }
    for (int k = 0; k <= t.order; k++) {
      out.writeLong(t.n1[k]);
      out.writeLong(t.n2[k]);
    }
  }

  /** Reads what {@link #write} wrote into m, a new trie of the same order and capacity. */
  static void read(DataInput in, NgramTrie m) throws IOException {
    m.nextInstance = in.readInt();
    int slots = in.readInt();
    if (slots < 0 || slots > (1 << 27)) throw new IOException("corrupt n-gram state: " + slots);
    m.instance = new int[slots];
    m.targetHead = new int[slots];
    m.slotNode = new long[slots];
    java.util.Arrays.fill(m.slotNode, -1);
    for (int i = 0; i < slots; i++) {
      m.instance[i] = in.readInt();
      m.targetHead[i] = in.readInt();
    }
    int nodes = in.readInt();
    if (nodes < 1 || nodes > m.capacity) throw new IOException("corrupt n-gram state: " + nodes);
    m.nodeParent = new int[Math.max(nodes, 16)];
    m.nodeWord = new int[m.nodeParent.length];
    m.nodeSerial = new int[m.nodeParent.length];
    m.nodeStats = new int[2 * m.nodeParent.length];
    m.nodeParent[0] = -1;
    for (int n = 1; n < nodes; n++) {
      m.nodeParent[n] = in.readInt();
      m.nodeWord[n] = in.readInt();
      m.nodeSerial[n] = n;
      m.nodeIndex.putNew(((long) m.nodeParent[n] << 32) | (m.nodeWord[n] & 0xFFFF_FFFFL), n, n);
    }
    m.nodes = nodes;
    m.nextSerial = nodes; // serial = id
    for (int n = 0; n < 2 * nodes; n++) m.nodeStats[n] = in.readInt();
    int events = in.readInt();
    if (events < 0 || events > m.capacity) throw new IOException("corrupt n-gram state: " + events);
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
    for (int k = 0; k <= m.order; k++) {
      m.n1[k] = in.readLong();
      m.n2[k] = in.readLong();
    }
  }
}
