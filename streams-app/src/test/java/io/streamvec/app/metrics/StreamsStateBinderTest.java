package io.streamvec.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class StreamsStateBinderTest {
  @Test
  void exactlyTheCurrentStateReadsOne() {
    AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new StreamsStateBinder(state::get).bindTo(registry);
    assertEquals(
        KafkaStreams.State.values().length, registry.find(StreamsStateBinder.NAME).gauges().size());
    for (KafkaStreams.State current : KafkaStreams.State.values()) {
      state.set(current);
      for (KafkaStreams.State s : KafkaStreams.State.values()) {
        double expected = s == current ? 1 : 0;
        assertEquals(
            expected,
            registry.get(StreamsStateBinder.NAME).tag("state", s.name()).gauge().value(),
            0.0,
            current + "/" + s);
      }
    }
  }
}
