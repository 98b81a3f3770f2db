package io.streamvec.app.topology;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import io.streamvec.app.config.ModelsConfig;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
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
      ModelsConfig models = config.models();
      // model.id's stores live in the partition of the model topic that holds it
      int partition = models.partitionOf(models.defaultModel());
      Map<String, Long> offsets = new HashMap<>();
      Map<String, byte[]> global =
          read(consumer, globalTopic, partition, new StringDeserializer(), k -> k, offsets, out);
      Map<Integer, byte[]> rows =
          read(
              consumer,
              changelog(config, StreamvecTopology.ROWS_STORE),
              partition,
              new IntegerDeserializer(),
              String::valueOf,
              offsets,
              out);
      TreeMap<Long, byte[]> replay =
          new TreeMap<>(
              read(
                  consumer,
                  changelog(config, StreamvecTopology.REPLAY_STORE),
                  partition,
                  new LongDeserializer(),
                  String::valueOf,
                  offsets,
                  out));
      StoredState state =
          StoredState.of(
              global,
              rows,
              replay,
              (store, key) -> locate(changelog(config, store), partition, key, offsets));
      boolean ok = check(models.defaultModel(), state, config, out);
      if (!models.single()) ok &= checkShared(consumer, config, topics, out);
      return new Report(ok, out);
    }
  }

  private static boolean check(
      String model, StoredState state, AppConfig config, List<String> out) {
    try {
      ModelStateReader.Restored restored = ModelStateReader.read(state);
      out.add("model '" + model + "':");
      describe(restored, modelConfig(config, model), out);
      return true;
    } catch (ModelStateException e) {
      out.add("model '" + model + "' NOT RESTORABLE: " + e.getMessage());
      return false;
    }
  }

  /** A changelog record named for messages: key, topic-partition and offset when known. */
  private static String locate(String topic, int partition, Object key, Map<String, Long> offsets) {
    Long offset = offsets.get(topic + "|" + key);
    return "record key '"
        + key
        + "' of "
        + topic
        + "-"
        + partition
        + (offset == null ? "" : " at offset " + offset);
  }

  private static ModelConfig modelConfig(AppConfig config, String model) {
    try {
      return config.models().modelConfig(model);
    } catch (ConfigException e) {
      return config.model();
    }
  }

  /**
   * The models other than model.id: every partition of the shared store's changelog, each model
   * under its prefix (as {@link ModelTables#shared} writes them).
   */
  private static boolean checkShared(
      KafkaConsumer<byte[], byte[]> consumer,
      AppConfig config,
      Map<String, List<PartitionInfo>> topics,
      List<String> out) {
    String topic = changelog(config, StreamvecTopology.MODELS_STORE);
    if (!topics.containsKey(topic)) {
      out.add(topic + ": none yet (no model besides model.id has stored anything)");
      return true;
    }
    boolean ok = true;
    for (int p = 0; p < topics.get(topic).size(); p++) {
      Map<String, Long> offsets = new HashMap<>();
      TreeMap<String, byte[]> records =
          new TreeMap<>(read(consumer, topic, p, new StringDeserializer(), k -> k, offsets, out));
      int partition = p;
      for (String key :
          records.subMap(ModelTables.DIRECTORY, ModelTables.DIRECTORY + "~").keySet()) {
        String model = key.substring(ModelTables.DIRECTORY.length());
        String g = model + "/g/", r = model + "/r/", l = model + "/l/";
        StoredState state =
            StoredState.of(
                k -> records.get(g + k),
                i -> records.get(r + i),
                action ->
                    records
                        .subMap(l, l + "~")
                        .forEach(
                            (k, v) -> action.accept(Long.parseLong(k.substring(l.length())), v)),
                (store, k) -> {
                  String full =
                      store.equals(StreamvecTopology.GLOBAL_STORE)
                          ? g + k
                          : store.equals(StreamvecTopology.ROWS_STORE)
                              ? r + k
                              : l + (k instanceof Long n ? String.format("%019d", n) : k);
                  return locate(topic, partition, full, offsets);
                });
        ok &= check(model, state, config, out);
      }
    }
    return ok;
  }

  private static void describe(
      ModelStateReader.Restored restored, ModelConfig config, List<String> out) {
    ModelStateReader.Meta meta = restored.meta();
    Learner learner = restored.learner() != null ? restored.learner() : null;
    if (learner == null) {
      out.add("checkpoint: none yet: a restart starts a new learner and replays the whole log");
      learner = new Learner(config);
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
    if (!restored.staleRows().isEmpty())
      out.add(
          "incomplete checkpoint: "
              + restored.staleRows().size()
              + " row value(s) written after the checkpoint above (a crash stopped the next one"
              + " part-way); ignored, and the next checkpoint deletes them");
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
   * The latest value of every key of one partition of topic (tombstones delete), read up to its end
   * (the last stable offset under read_committed).
   */
  private static <K> Map<K, byte[]> read(
      KafkaConsumer<byte[], byte[]> consumer,
      String topic,
      int partition,
      Deserializer<K> keys,
      Function<K, String> keyText,
      Map<String, Long> offsets,
      List<String> out) {
    TopicPartition tp = new TopicPartition(topic, partition);
    Map<K, byte[]> latest = new HashMap<>();
    if (consumer.partitionsFor(topic, READ_TIMEOUT).size() <= partition) {
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
        tp
            + ": "
            + records
            + " record(s) up to offset "
            + end
            + ", "
            + latest.size()
            + " live key(s)");
    return latest;
  }
}
