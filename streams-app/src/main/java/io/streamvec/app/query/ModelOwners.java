package io.streamvec.app.query;

import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Which instance trains a model, from Kafka Streams' interactive-query metadata: the
 * application.server (host:http.port) of the instance whose active task holds the partition the
 * model's key maps to in store (the model topic is keyed by model name with Kafka's default
 * partitioner, so this is the task that trains it). Null for a model this application does not
 * train, and while no instance holds it (a rebalance).
 */
public final class ModelOwners implements Function<String, String> {
  private final KafkaStreams streams;
  private final String store;
  private final Predicate<String> trainedHere;

  /**
   * @param store a state store of the training processor, whose partitions are keyed by model name
   * @param trainedHere the models this application trains
   */
  public ModelOwners(KafkaStreams streams, String store, Predicate<String> trainedHere) {
    this.streams = streams;
    this.store = store;
    this.trainedHere = trainedHere;
  }

  @Override
  public String apply(String model) {
    if (!trainedHere.test(model)) return null;
    KeyQueryMetadata m = streams.queryMetadataForKey(store, model, Serdes.String().serializer());
    HostInfo h = m == null ? null : m.activeHost();
    return h == null || h.port() < 0 ? null : h.host() + ":" + h.port();
  }
}
