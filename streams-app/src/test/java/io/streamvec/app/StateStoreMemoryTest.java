package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.ConfigException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * state.memory.bytes reaches every RocksDB store: checked by RocksDB itself (its properties) and by
 * Kafka Streams' own store metrics, not by reading back what the setter set.
 */
class StateStoreMemoryTest {
  private static final long MIB = 1L << 20;

  @Test
  void storesOpenedThroughTheSetterShareOneCacheThatIsChargedForMemtables(@TempDir Path dir)
      throws Exception {
    RocksDB.loadLibrary();
    long budget = 12 * MIB; // not 8 MiB: RocksDB's own default cache
    Map<String, Object> configs = Map.of(StateStoreMemory.BUDGET_CONFIG, Long.toString(budget));
    try (Options a = kafkaLikeOptions();
        Options b = kafkaLikeOptions()) {
      new StateStoreMemory().setConfig("a", a, configs);
      new StateStoreMemory().setConfig("b", b, configs);
      assertSame(a.writeBufferManager(), b.writeBufferManager());
      try (RocksDB da = RocksDB.open(a, dir.resolve("a").toString());
          RocksDB db = RocksDB.open(b, dir.resolve("b").toString())) {
        assertEquals(budget, property(da, "rocksdb.block-cache-capacity"));
        assertEquals(budget, property(db, "rocksdb.block-cache-capacity"));
        long before = property(db, "rocksdb.block-cache-usage");
        // write into a only, read nothing: b's cache fills with a's memtable charge. 1.2 MB: more
        // than the 1 MiB checked below, less than one 1.5 MiB write buffer (budget / 8), so no
        // flush can empty the memtable before it is measured
        byte[] value = new byte[4096];
        Random r = new Random(1);
        for (int i = 0; i < 300; i++) {
          r.nextBytes(value);
          da.put(("k" + i).getBytes(), value);
        }
        long memtables = property(da, "rocksdb.cur-size-all-mem-tables");
        assertTrue(memtables > MIB, "memtables " + memtables);
        long after = property(db, "rocksdb.block-cache-usage");
        assertTrue(after - before >= memtables / 2, "b's cache " + before + " -> " + after);
        assertTrue(memtables <= budget / 2 + budget / 8, "memtables " + memtables);
      }
    }
  }

  @Test
  void theAppsStreamsPropertiesBoundKafkaStreamsStores(@TempDir Path dir) {
    Properties p =
        StreamsProperties.of(
            AppConfig.of(
                Map.of(
                    "state.memory.bytes", Long.toString(12 * MIB),
                    "state.dir", dir.toString())));
    StreamsBuilder builder = new StreamsBuilder();
    for (String s : new String[] {"one", "two"})
      builder.addStateStore(
          Stores.keyValueStoreBuilder(
              Stores.persistentKeyValueStore(s), Serdes.String(), Serdes.String()));
    builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
        .process(Put::new, "one", "two");
    // twice: closing a store (as a task that moves away does) must leave the shared cache usable
    // for the stores opened after it
    for (int round = 0; round < 2; round++)
      try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), p)) {
        driver
            .createInputTopic("in", new StringSerializer(), new StringSerializer())
            .pipeInput("k" + round, "v");
        Map<String, Double> capacity = new HashMap<>();
        driver
            .metrics()
            .forEach(
                (MetricName n, org.apache.kafka.common.Metric m) -> {
                  if (n.name().equals("block-cache-capacity"))
                    capacity.put(
                        n.tags().get("rocksdb-state-id"), ((Number) m.metricValue()).doubleValue());
                });
        // Kafka Streams' own default is a 50 MB cache per store
        assertEquals(Map.of("one", 12.0 * MIB, "two", 12.0 * MIB), capacity);
        KeyValueStore<String, String> one = driver.getKeyValueStore("one");
        assertEquals("v", one.get("k" + round));
      }
  }

  @Test
  void theBudgetIsValidatedAndAnotherSetterWins() {
    Properties defaults = StreamsProperties.of(AppConfig.defaults());
    assertEquals(
        StateStoreMemory.class, defaults.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
    assertEquals("67108864", defaults.get(StateStoreMemory.BUDGET_CONFIG));
    new StreamsConfig(defaults); // Kafka accepts the setter class
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> StreamsProperties.of(AppConfig.of(Map.of("state.memory.bytes", "1000000"))));
    assertTrue(e.getMessage().contains("'state.memory.bytes' = 1000000"), e.getMessage());
    assertTrue(e.getMessage().contains("minimum of 4194304"), e.getMessage());
    Properties own =
        StreamsProperties.of(
            AppConfig.of(Map.of("kafka.rocksdb.config.setter", "com.example.Setter")));
    assertEquals("com.example.Setter", own.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
    assertFalse(own.containsKey(StateStoreMemory.BUDGET_CONFIG));
  }

  /** As Kafka Streams' RocksDBStore hands them to a setter: a block-based table config set. */
  private static Options kafkaLikeOptions() {
    Options o = new Options().setCreateIfMissing(true);
    o.setTableFormatConfig(new BlockBasedTableConfig());
    return o;
  }

  private static long property(RocksDB db, String name) throws Exception {
    return Long.parseLong(db.getProperty(name));
  }

  private static final class Put implements Processor<String, String, Void, Void> {
    private ProcessorContext<Void, Void> context;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, String> r) {
      KeyValueStore<String, String> one = context.getStateStore("one");
      one.put(r.key(), r.value());
    }
  }
}
