package io.streamvec.app.topology;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.model.Learner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code ./streamvec app --check-state}: reads the trainer's changelog topics (the truth under
 * exactly-once; a local state directory is only a cache of them) with read_committed, and restores
 * the model through the same {@link ModelStateReader} a restart uses, without starting Kafka
 * Streams. Either it reports where a restart would continue, or the record that stops it.
 */
public final class StateCheck {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

  /** ok: a restart restores the model exactly; lines: what was found, for people. */
  public record Report(boolean ok, List<String> lines) {}

  private StateCheck() {}

  /** The changelog topic Kafka Streams keeps for store of the application. */
  static String changelog(AppConfig config, String store) {
    return config.get(AppKeys.APPLICATION_ID) + "-" + store + "-changelog";
  }

  public static Report run(AppConfig config) {
    List<String> out = new ArrayList<>();
    Properties props = config.kafkaClientProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamvec-check-state");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      String globalTopic = changelog(config, StreamvecTopology.GLOBAL_STORE);
      Map<String, List<PartitionInfo>> topics = consumer.listTopics(READ_TIMEOUT);
      if (!topics.containsKey(globalTopic)) {
        out.add("no stored state for application.id '" + config.get(AppKeys.APPLICATION_ID) + "'");
        out.add("(" + globalTopic + " does not exist): the app would start a new model");
        return new Report(true, out);
      }
      Map<String, Long> offsets = new HashMap<>();
      Map<String, byte[]> global =
          read(consumer, globalTopic, new StringDeserializer(), k -> k, offsets, out);
      Map<Integer, byte[]> rows =
          read(
              consumer,
              changelog(config, StreamvecTopology.ROWS_STORE),
              new IntegerDeserializer(),
              String::valueOf,
              offsets,
              out);
      TreeMap<Long, byte[]> replay =
          new TreeMap<>(
              read(
                  consumer,
                  changelog(config, StreamvecTopology.REPLAY_STORE),
                  new LongDeserializer(),
                  String::valueOf,
                  offsets,
                  out));
      StoredState state =
          StoredState.of(
              global,
              rows,
              replay,
              (store, key) -> {
                String topic = changelog(config, store);
                Long offset = offsets.get(topic + "|" + key);
                return "record key '"
                    + key
                    + "' of "
                    + topic
                    + "-0"
                    + (offset == null ? "" : " at offset " + offset);
              });
      try {
        ModelStateReader.Restored restored = ModelStateReader.read(state);
        describe(restored, config, out);
        return new Report(true, out);
      } catch (ModelStateException e) {
        out.add("NOT RESTORABLE: " + e.getMessage());
        return new Report(false, out);
      }
    }
  }

  private static void describe(
      ModelStateReader.Restored restored, AppConfig config, List<String> out) {
    ModelStateReader.Meta meta = restored.meta();
    Learner learner = restored.learner() != null ? restored.learner() : null;
    if (learner == null) {
      out.add("checkpoint: none yet: a restart starts a new learner and replays the whole log");
      learner = new Learner(config.model());
    } else {
      out.add(
          "checkpoint: after record "
              + meta.checkpointRecords()
              + ", "
              + learner.tokens()
              + " tokens, "
              + learner.vocabulary().size()
              + " words, "
              + meta.pieces()
              + " global piece(s)");
    }
    List<String> lines = restored.replayLines();
    for (String line : lines) learner.learn(List.of(line.split(" ")));
    out.add(
        "replay log: "
            + lines.size()
            + " record(s) in "
            + restored.batches().size()
            + " batch(es)");
    out.add(
        "last published snapshot: version "
            + meta.snapshotVersion()
            + " at "
            + meta.snapshotTokens()
            + " tokens");
    out.add(
        "OK: a restart continues after record "
            + (meta.checkpointRecords() + lines.size())
            + " with "
            + learner.tokens()
            + " tokens learned");
  }

  /**
   * The latest value of every key of partition 0 of topic (tombstones delete), read up to its end
   * (the last stable offset under read_committed).
   */
  private static <K> Map<K, byte[]> read(
      KafkaConsumer<byte[], byte[]> consumer,
      String topic,
      Deserializer<K> keys,
      Function<K, String> keyText,
      Map<String, Long> offsets,
      List<String> out) {
    TopicPartition tp = new TopicPartition(topic, 0);
    Map<K, byte[]> latest = new HashMap<>();
    if (consumer.partitionsFor(topic, READ_TIMEOUT).isEmpty()) {
      out.add(topic + ": missing");
      return latest;
    }
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    long end = consumer.endOffsets(List.of(tp), READ_TIMEOUT).get(tp);
    long records = 0;
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    while (consumer.position(tp, READ_TIMEOUT) < end) {
      if (System.nanoTime() > deadline)
        throw new IllegalStateException("reading " + topic + " took over " + READ_TIMEOUT);
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        K key = keys.deserialize(topic, r.key());
        records++;
        offsets.put(topic + "|" + keyText.apply(key), r.offset());
        if (r.value() == null) latest.remove(key);
        else latest.put(key, r.value());
      }
    }
    out.add(
        topic
            + "-0: "
            + records
            + " record(s) up to offset "
            + end
            + ", "
            + latest.size()
            + " live key(s)");
    return latest;
  }
}
