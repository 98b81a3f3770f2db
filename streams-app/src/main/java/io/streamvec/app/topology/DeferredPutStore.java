package io.streamvec.app.topology;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A logged, cached key-value store whose values may be given late: {@link #putLater} names a key
 * and where its value will come from, and the value is taken and put only when Kafka Streams
 * flushes the store's cache before a commit (or when the store is read). The replay log uses it for
 * the batch that grows line by line ({@link ModelStore}): the batch is copied into the store once
 * per commit, not once per line, and each line is still in the transaction that commits its input
 * offset, because Kafka Streams flushes every cache of a task, and sends what they hold to the
 * changelogs, before it commits the task's transaction.
 *
 * <p>That flush is Kafka Streams' internal API ({@code CachedStateStore#flushCache}, which {@link
 * WrappedStateStore} implements and Kafka Streams calls on the outermost store); the public API has
 * no hook before a commit. ReplayLogCommitTest reads the changelog after each record's commit and
 * finds every line, so a Kafka Streams that stopped calling it fails that test. A dirty close
 * ({@link #clearCache}, {@link #close}) drops what was not put, as it drops the cache. Only the
 * stream thread touches a task's stores (the app runs no interactive queries on them).
 */
final class DeferredPutStore<K> extends WrappedStateStore<KeyValueStore<K, byte[]>, K, byte[]>
    implements KeyValueStore<K, byte[]> {
  private final Map<K, Supplier<byte[]>> later = new LinkedHashMap<>();

  DeferredPutStore(KeyValueStore<K, byte[]> inner) {
    super(inner);
  }

  /** The deferring store under store (a processor's view of it, or itself), or null. */
  static <K> DeferredPutStore<K> find(KeyValueStore<K, byte[]> store) {
    if (store instanceof DeferredPutStore<K> d) return d;
    if (store instanceof WrappedStateStore<?, ?, ?> w) {
      @SuppressWarnings("unchecked")
      DeferredPutStore<K> d = w.findInner(DeferredPutStore.class);
      return d;
    }
    return null;
  }

  /**
   * Puts key's value as value gives it at the next flush or read: the latest call for a key wins,
   * and a put or delete of the key in between drops it.
   */
  void putLater(K key, Supplier<byte[]> value) {
    later.put(key, value);
  }

  /** Puts every value given late, in the order they were first given. */
  private void putPending() {
    if (later.isEmpty()) return;
    for (Map.Entry<K, Supplier<byte[]>> e : later.entrySet())
      wrapped().put(e.getKey(), e.getValue().get());
    later.clear();
  }

  @Override
  public void flushCache() {
    putPending();
    super.flushCache();
  }

  @Override
  public void clearCache() {
    later.clear();
    super.clearCache();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    later.clear();
    super.init(context, root);
  }

  @Override
  public void close() {
    later.clear();
    super.close();
  }

  @Override
  public void put(K key, byte[] value) {
    later.remove(key);
    wrapped().put(key, value);
  }

  @Override
  public byte[] putIfAbsent(K key, byte[] value) {
    putPending();
    return wrapped().putIfAbsent(key, value);
  }

  @Override
  public void putAll(List<KeyValue<K, byte[]>> entries) {
    for (KeyValue<K, byte[]> e : entries) later.remove(e.key);
    wrapped().putAll(entries);
  }

  @Override
  public byte[] delete(K key) {
    Supplier<byte[]> given = later.remove(key);
    byte[] old = wrapped().delete(key);
    return given != null ? given.get() : old;
  }

  @Override
  public byte[] get(K key) {
    putPending();
    return wrapped().get(key);
  }

  @Override
  public KeyValueIterator<K, byte[]> range(K from, K to) {
    putPending();
    return wrapped().range(from, to);
  }

  @Override
  public KeyValueIterator<K, byte[]> all() {
    putPending();
    return wrapped().all();
  }

  @Override
  public KeyValueIterator<K, byte[]> reverseRange(K from, K to) {
    putPending();
    return wrapped().reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<K, byte[]> reverseAll() {
    putPending();
    return wrapped().reverseAll();
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<K, byte[]> prefixScan(
      P prefix, PS prefixKeySerializer) {
    putPending();
    return wrapped().prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    putPending();
    return wrapped().approximateNumEntries();
  }

  /** A persistent, logged, cached store whose values may be given late. */
  static <K> StoreBuilder<KeyValueStore<K, byte[]>> builder(String name, Serde<K> keys) {
    StoreBuilder<KeyValueStore<K, byte[]>> inner =
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, Serdes.ByteArray())
            .withCachingEnabled();
    return new StoreBuilder<>() {
      public StoreBuilder<KeyValueStore<K, byte[]>> withCachingEnabled() {
        inner.withCachingEnabled();
        return this;
      }

      public StoreBuilder<KeyValueStore<K, byte[]>> withCachingDisabled() {
        inner.withCachingDisabled();
        return this;
      }

      public StoreBuilder<KeyValueStore<K, byte[]>> withLoggingEnabled(Map<String, String> c) {
        inner.withLoggingEnabled(c);
        return this;
      }

      public StoreBuilder<KeyValueStore<K, byte[]>> withLoggingDisabled() {
        inner.withLoggingDisabled();
        return this;
      }

      public KeyValueStore<K, byte[]> build() {
        return new DeferredPutStore<>(inner.build());
      }

      public Map<String, String> logConfig() {
        return inner.logConfig();
      }

      public boolean loggingEnabled() {
        return inner.loggingEnabled();
      }

      public String name() {
        return inner.name();
      }
    };
  }
}
