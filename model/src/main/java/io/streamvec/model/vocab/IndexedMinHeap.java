package io.streamvec.model.vocab;

import java.util.Arrays;

/**
 * Binary min-heap of int ids that knows where each id sits, so a changed or removed id is re-placed
 * in O(log n). The order comes from {@link #less}, which must be a strict total order over ids
 * (break ties on keys by something intrinsic): then {@link #min()} depends only on the ids and
 * their keys, never on the history of the heap's layout, which is what lets a restored vocabulary
 * behave bit-identically.
 */
abstract class IndexedMinHeap {
  private int[] heap = new int[16]; // heap[i] = id at position i
  private int[] pos = new int[16]; // pos[id] = position of id, -1 if absent
  private int size;

  IndexedMinHeap() {
    Arrays.fill(pos, -1);
  }

  /** True if id a comes before id b (smaller key, ties broken deterministically). */
  abstract boolean less(int a, int b);

  int size() {
    return size;
  }

  /** The smallest id, or -1 if empty. */
  int min() {
    return size == 0 ? -1 : heap[0];
  }

  boolean contains(int id) {
    return id < pos.length && pos[id] >= 0;
  }

  void add(int id) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    if (id >= pos.length) {
      int old = pos.length;
      pos = Arrays.copyOf(pos, Math.max(id + 1, old * 2));
      Arrays.fill(pos, old, pos.length, -1);
    }
    heap[size] = id;
    pos[id] = size;
    size++;
    siftUp(size - 1);
  }

  /** Restores order after the key of id grew (the common case: a count went up). */
  void increased(int id) {
    siftDown(pos[id]);
  }

  /** Restores order after the key of id changed in either direction. */
  void changed(int id) {
    siftDown(siftUp(pos[id]));
  }

  void remove(int id) {
    int p = pos[id];
    pos[id] = -1;
    size--;
    if (p == size) {
      return;
    }
    int last = heap[size];
    heap[p] = last;
    pos[last] = p;
    siftDown(siftUp(p));
  }

  /** Re-establishes the heap from scratch after keys changed wholesale (e.g. rescaled). */
  void rebuild() {
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
  }

  /**
   * Moves the id at position p up while it is smaller than its parent; returns its final position.
   */
  private int siftUp(int p) {
    int id = heap[p];
    while (p > 0) {
      int parent = (p - 1) >>> 1;
      int parentId = heap[parent];
      if (!less(id, parentId)) {
        break;
      }
      heap[p] = parentId;
      pos[parentId] = p;
      p = parent;
    }
    heap[p] = id;
    pos[id] = p;
    return p;
  }

  private void siftDown(int p) {
    int id = heap[p];
    while (true) {
      int child = 2 * p + 1;
      if (child >= size) {
        break;
      }
      int childId = heap[child];
      if (child + 1 < size && less(heap[child + 1], childId)) {
        child++;
        childId = heap[child];
      }
      if (!less(childId, id)) {
        break;
      }
      heap[p] = childId;
      pos[childId] = p;
      p = child;
    }
    heap[p] = id;
    pos[id] = p;
  }
}
