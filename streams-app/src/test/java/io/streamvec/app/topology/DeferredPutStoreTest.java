package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Values given late: taken when the cache is flushed (or the store read), as they stand then; a put
 * or delete of the key in between wins; a dirty close drops them. Checked on the store underneath,
 * which holds only what was put.
 */
class DeferredPutStoreTest {
  private final KeyValueStore<Long, byte[]> inner =
      Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore("s"), Serdes.Long(), Serdes.ByteArray())
          .withLoggingDisabled()
          .build();
  private final DeferredPutStore<Long> store = new DeferredPutStore<>(inner);
  private final StringBuilder value = new StringBuilder();
  private final Supplier<byte[]> current = () -> value.toString().getBytes(StandardCharsets.UTF_8);

  DeferredPutStoreTest() {
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
  }

  private String under(long key) {
    byte[] v = inner.get(key);
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  @Test
  void aValueIsTakenAtTheFlushAsItStandsThen() {
    value.append("a");
    store.putLater(1L, current);
    value.append("b");
    store.putLater(1L, current);
    assertNull(under(1));
    value.append("c");
    store.flushCache();
    assertEquals("abc", under(1));
    value.append("d"); // no putLater since the flush: nothing to put
    store.flushCache();
    assertEquals("abc", under(1));
  }

  @Test
  void aPutOrDeleteInBetweenWins() {
    value.append("late");
    store.putLater(1L, current);
    store.putLater(2L, current);
    store.putLater(3L, current);
    store.put(1L, "now".getBytes(StandardCharsets.UTF_8));
    store.delete(2L);
    store.putAll(List.of(KeyValue.pair(3L, "all".getBytes(StandardCharsets.UTF_8))));
    store.flushCache();
    assertEquals("now", under(1));
    assertNull(under(2));
    assertEquals("all", under(3));
  }

  @Test
  void readsSeeValuesGivenLate() {
    value.append("x");
    store.putLater(5L, current);
    assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), store.get(5L));
    store.putLater(6L, current);
    try (var it = store.all()) {
      assertEquals(5L, it.next().key);
      assertEquals(6L, it.next().key);
    }
    assertEquals(2, store.approximateNumEntries());
  }

  @Test
  void aDirtyCloseDropsWhatWasNotPut() {
    value.append("lost");
    store.putLater(7L, current);
    store.clearCache();
    store.flushCache();
    assertNull(under(7));
  }
}
