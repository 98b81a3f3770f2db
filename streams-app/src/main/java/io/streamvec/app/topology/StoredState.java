package io.streamvec.app.topology;

import java.util.Map;
import java.util.SortedMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

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

  /**
   * A view over lookups: global and row values by key, the replay batches in key order, and how to
   * name a record in messages.
   */
  static StoredState of(
      Function<String, byte[]> global,
      IntFunction<byte[]> rows,
      Consumer<ReplayBatchAction> replayInKeyOrder,
      BiFunction<String, Object, String> locate) {
    return new StoredState() {
      @Override
      public byte[] global(String key) {
        return global.apply(key);
      }

      @Override
      public byte[] row(int index) {
        return rows.apply(index);
      }

      @Override
      public void forEachReplayBatch(ReplayBatchAction action) {
        replayInKeyOrder.accept(action);
      }

      @Override
      public String locate(String store, Object key) {
        return locate.apply(store, key);
      }
    };
  }

  /** Over records held in memory (the changelogs read offline, tests). */
  static StoredState of(
      Map<String, byte[]> global,
      Map<Integer, byte[]> rows,
      SortedMap<Long, byte[]> replay,
      BiFunction<String, Object, String> locate) {
    return of(global::get, rows::get, action -> replay.forEach(action::accept), locate);
  }
}
