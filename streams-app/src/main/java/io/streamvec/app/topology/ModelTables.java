package io.streamvec.app.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Where one model's state lives inside a training task's stores ({@link ModelStore} says what it
 * holds). {@code model.id} keeps the three stores of a single-model app, key for key, so the state
 * of an app that trained one model restores unchanged when it starts training more. Every other
 * model lives in the one shared store {@value StreamvecTopology#MODELS_STORE}, under keys prefixed
 * with its name: {@code <model>/g/<key>} (global), {@code <model>/r/<row key>} (rows), {@code
 * <model>/l/<sequence, 19 digits>} (replay batches, so that key order is sequence order), and
 * {@code #models/<model>} marks that the task holds the model (a model name has no '#' or '/').
 */
interface ModelTables {
  byte[] global(String key);

  void putGlobal(String key, byte[] value);

  void deleteGlobal(String key);

  byte[] row(int index);

  void putRow(int index, byte[] value);

  void deleteRow(int index);

  void putReplay(long first, byte[] lines);

  /**
   * Puts the batch at first as lines gives it before the next commit ({@link DeferredPutStore}), or
   * now if the store cannot defer; a put or delete of the batch in between drops it.
   */
  void putReplayLater(long first, Supplier<byte[]> lines);

  void deleteReplay(long first);

  /** The replay batches in sequence order. */
  void forEachReplay(StoredState.ReplayBatchAction action);

  /** The record under key in store, named for messages. */
  String locate(String store, Object key);

  /** Whether anything is stored for the model. */
  default boolean isEmpty() {
    if (global(ModelStateReader.META_KEY) != null) return false;
    boolean[] any = {false};
    forEachReplay((first, lines) -> any[0] = true);
    return !any[0];
  }

  /** The three stores of a single-model app, which model.id keeps. */
  static ModelTables own(
      KeyValueStore<Integer, byte[]> rows,
      KeyValueStore<String, byte[]> global,
      KeyValueStore<Long, byte[]> replay) {
    DeferredPutStore<Long> deferred = DeferredPutStore.find(replay);
    return new ModelTables() {
      public byte[] global(String key) {
        return global.get(key);
      }

      public void putGlobal(String key, byte[] value) {
        global.put(key, value);
      }

      public void deleteGlobal(String key) {
        global.delete(key);
      }

      public byte[] row(int index) {
        return rows.get(index);
      }

      public void putRow(int index, byte[] value) {
        rows.put(index, value);
      }

      public void deleteRow(int index) {
        rows.delete(index);
      }

      public void putReplay(long first, byte[] lines) {
        replay.put(first, lines);
      }

      public void putReplayLater(long first, Supplier<byte[]> lines) {
        if (deferred != null) deferred.putLater(first, lines);
        else replay.put(first, lines.get());
      }

      public void deleteReplay(long first) {
        replay.delete(first);
      }

      public void forEachReplay(StoredState.ReplayBatchAction action) {
        try (KeyValueIterator<Long, byte[]> it = replay.all()) {
          while (it.hasNext()) {
            KeyValue<Long, byte[]> e = it.next();
            action.accept(e.key, e.value);
          }
        }
      }

      public String locate(String store, Object key) {
        return "store " + store + " key '" + key + "'";
      }
    };
  }

  String DIRECTORY = "#models/";

  /** The models whose state the shared store of one task holds. */
  static List<String> modelsIn(KeyValueStore<String, byte[]> shared) {
    List<String> names = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = shared.range(DIRECTORY, DIRECTORY + "~")) {
      while (it.hasNext()) names.add(it.next().key.substring(DIRECTORY.length()));
    }
    return names;
  }

  /** Model's part of the shared store; marks the model as held by this task. */
  static ModelTables shared(KeyValueStore<String, byte[]> shared, String model) {
    String g = model + "/g/";
    String r = model + "/r/";
    String l = model + "/l/";
    DeferredPutStore<String> deferred = DeferredPutStore.find(shared);
    return new ModelTables() {
      public byte[] global(String key) {
        return shared.get(g + key);
      }

      public void putGlobal(String key, byte[] value) {
        mark();
        shared.put(g + key, value);
      }

      public void deleteGlobal(String key) {
        shared.delete(g + key);
      }

      public byte[] row(int index) {
        return shared.get(r + index);
      }

      public void putRow(int index, byte[] value) {
        shared.put(r + index, value);
      }

      public void deleteRow(int index) {
        shared.delete(r + index);
      }

      public void putReplay(long first, byte[] lines) {
        mark();
        shared.put(sequenceKey(first), lines);
      }

      public void putReplayLater(long first, Supplier<byte[]> lines) {
        mark();
        if (deferred != null) deferred.putLater(sequenceKey(first), lines);
        else shared.put(sequenceKey(first), lines.get());
      }

      public void deleteReplay(long first) {
        shared.delete(sequenceKey(first));
      }

      public void forEachReplay(StoredState.ReplayBatchAction action) {
        try (KeyValueIterator<String, byte[]> it = shared.range(l, l + "~")) {
          while (it.hasNext()) {
            KeyValue<String, byte[]> e = it.next();
            action.accept(Long.parseLong(e.key.substring(l.length())), e.value);
          }
        }
      }

      public String locate(String store, Object key) {
        String prefix =
            store.equals(StreamvecTopology.GLOBAL_STORE)
                ? g
                : store.equals(StreamvecTopology.ROWS_STORE) ? r : l;
        return "store " + StreamvecTopology.MODELS_STORE + " key '" + prefix + key + "'";
      }

      private boolean marked;

      private void mark() {
        if (marked) return;
        if (shared.get(DIRECTORY + model) == null) shared.put(DIRECTORY + model, new byte[0]);
        marked = true;
      }

      private long lastFirst = -1;
      private String lastKey;

      private String sequenceKey(long first) {
        // a batch's key is asked for once per line: formatted once per batch
        if (first != lastFirst) {
          lastKey = l + String.format(Locale.ROOT, "%019d", first);
          lastFirst = first;
        }
        return lastKey;
      }
    };
  }
}
