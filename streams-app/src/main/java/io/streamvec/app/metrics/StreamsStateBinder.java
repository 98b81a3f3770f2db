package io.streamvec.app.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Kafka Streams client state as numbers: {@value #NAME}{state="RUNNING"} is 1 for the current
 * state and 0 for the others. KafkaStreamsMetrics skips the client's own state metric (it is a
 * string), yet "is it running?" is the first panel anyone looks at.
 */
public final class StreamsStateBinder implements MeterBinder {
  public static final String NAME = "streamvec.streams.state";

  private final Supplier<KafkaStreams.State> state;

  public StreamsStateBinder(Supplier<KafkaStreams.State> state) {
    this.state = state;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (KafkaStreams.State s : KafkaStreams.State.values()) {
      Gauge.builder(NAME, state, st -> st.get() == s ? 1 : 0)
          .description("1 if the Kafka Streams client is in this state, else 0")
          .tag("state", s.name())
          .strongReference(true)
          .register(registry);
    }
  }
}
