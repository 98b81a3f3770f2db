package io.streamvec.app.topology;

import java.util.Iterator;
import java.util.Map;

/**
 * Read access to what the trainer keeps in its three logged stores ({@link ModelStore}): the live
 * state stores of a running task, or their changelog topics read offline by {@link StateCheck}.
 * Both are restored by the same {@link ModelStateReader}, so the offline check judges exactly what
 * a restart would do.
 */
interface StoredState {
  /** The value under key in {@code model-global}, or null. */
  byte[] global(String key);

  /** The value of row index in {@code model-rows}, or null. */
  byte[] row(int index);

  /**
   * Runs action over the {@code replay-log} batches in ascending key order (first sequence number
   * -> UTF-8 lines joined by '\n').
   */
  void forEachReplayBatch(ReplayBatchAction action);

  /**
   * Where the record under key of store lives, for error messages (a store key, a topic offset).
   */
  String locate(String store, Object key);

  @FunctionalInterface
  interface ReplayBatchAction {
    void accept(long firstSequence, byte[] lines);
  }

  /** Adapts map views (sorted replay map) for callers that hold the records in memory. */
  static StoredState of(
      Map<String, byte[]> global,
      Map<Integer, byte[]> rows,
      Iterable<Map.Entry<Long, byte[]>> replayInKeyOrder,
      java.util.function.BiFunction<String, Object, String> locate) {
    return new StoredState() {
      @Override
      public byte[] global(String key) {
        return global.get(key);
      }

      @Override
      public byte[] row(int index) {
        return rows.get(index);
      }

      @Override
      public void forEachReplayBatch(ReplayBatchAction action) {
        Iterator<Map.Entry<Long, byte[]>> it = replayInKeyOrder.iterator();
        while (it.hasNext()) {
          Map.Entry<Long, byte[]> e = it.next();
          action.accept(e.getKey(), e.getValue());
        }
      }

      @Override
      public String locate(String store, Object key) {
        return locate.apply(store, key);
      }
    };
  }
}
