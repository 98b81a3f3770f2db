package io.streamvec.app;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the native memory of every RocksDB state store of this JVM together: one LRU block cache
 * of {@code state.memory.bytes} shared by all stores, which also holds their index and filter
 * blocks and is charged for their memtables (a write buffer manager of half of it). Left to Kafka
 * Streams' defaults each store of each task has its own 50 MB cache and up to 3 x 16 MB memtables,
 * so the bound grows with the number of stores and tasks (models partitions) an instance runs.
 *
 * <p>The cache and manager live as long as the JVM and are shared by every store opened with the
 * same budget: closing a store must not free them (Kafka Streams' own bounded-memory recipe).
 */
public final class StateStoreMemory implements RocksDBConfigSetter {
  /** The Streams property carrying the budget to {@link #setConfig} (not passed to clients). */
  static final String BUDGET_CONFIG = "streamvec.state.memory.bytes";

  /** Below this the memtables would be flushed every few kilobytes. */
  public static final long MIN_BYTES = 4L << 20;

  /** Each store's memtable: a fraction of the budget, never above Kafka Streams' 16 MB. */
  static final long MAX_WRITE_BUFFER = 16L << 20;

  private static final Map<Long, Shared> SHARED = new HashMap<>();

  /** One cache and its write buffer manager per budget (normally one budget per JVM). */
  record Shared(Cache cache, WriteBufferManager writeBuffers) {}

  static synchronized Shared shared(long budget) {
    return SHARED.computeIfAbsent(
        budget,
        b -> {
          // strictCapacityLimit=false: a full cache evicts instead of failing reads; index and
          // filter blocks go to the high-priority pool (10%) so data blocks do not evict them
          Cache cache = new LRUCache(b, -1, false, 0.1);
          return new Shared(cache, new WriteBufferManager(b / 2, cache));
        });
  }

  /**
   * Puts this setter and the budget into the Streams properties, unless kafka.rocksdb.config.setter
   * names another setter (then that one is in charge and state.memory.bytes does nothing).
   */
  static void configure(Properties p, AppConfig c) {
    long budget = c.getLong(AppKeys.STATE_MEMORY_BYTES);
    if (budget < MIN_BYTES)
      throw new ConfigException(
          "config key '"
              + AppKeys.STATE_MEMORY_BYTES
              + "' = "
              + budget
              + " is below the minimum of "
              + MIN_BYTES
              + " bytes (4 MiB); the default is "
              + AppKeys.DEFAULT_STATE_MEMORY_BYTES);
    if (p.containsKey(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)) return;
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StateStoreMemory.class);
    p.put(BUDGET_CONFIG, Long.toString(budget));
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Object given = configs.get(BUDGET_CONFIG);
    long budget =
        given == null
            ? Long.parseLong(AppKeys.DEFAULT_STATE_MEMORY_BYTES)
            : Long.parseLong(given.toString());
    Shared s = shared(budget);
    // Kafka Streams' own table config (it reads the cache back for its metrics): change it, do not
    // replace it
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(s.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(s.writeBuffers());
    options.setWriteBufferSize(Math.min(MAX_WRITE_BUFFER, budget / 8));
  }

  @Override
  public void close(String storeName, Options options) {
    // the cache and the write buffer manager are shared with the other stores: kept
  }
}
