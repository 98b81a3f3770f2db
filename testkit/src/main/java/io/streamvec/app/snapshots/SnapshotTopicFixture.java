package io.streamvec.app.snapshots;

import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotChunks;
import io.streamvec.model.io.SnapshotCodec;
import io.streamvec.model.text.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Real snapshots on a real topic for tests: a small {@link Learner} trained on a seeded synthetic
 * text, and a transactional writer that publishes a snapshot as chunk records the way the app does
 * (keys modelId/i, one transaction per snapshot). Reused by the producer module's tests.
 */
public final class SnapshotTopicFixture {
  private SnapshotTopicFixture() {}

  /** Topic config of a snapshots topic: compacted, as the app creates it. */
  public static final Map<String, String> SNAPSHOTS_TOPIC_CONFIG =
      Map.of("cleanup.policy", "compact");

  /**
   * Word groups the synthetic text draws sentences from: words of a group end up close together.
   */
  static final String[][] GROUPS = {
    {"king", "queen", "prince", "princess", "lord", "throne", "crown"},
    {"water", "river", "sea", "rain", "flood", "stream", "well"},
    {"bread", "wine", "meat", "fruit", "corn", "oil", "honey"},
    {"lion", "tiger", "bear", "wolf", "leopard", "fox", "eagle"},
    {"sword", "spear", "shield", "bow", "arrow", "battle", "army"},
    {"gold", "silver", "brass", "iron", "copper", "jewel", "pearl"}
  };

  static final String[] GLUE = {"the", "and", "of", "a", "with"};

  /** A small model config that trains in well under a second. */
  public static ModelConfig smallConfig(long seed) {
    return ModelConfig.defaults()
        .with("dim", "16")
        .with("context", "3")
        .with("min-count", "1")
        .with("vocab-size", "500")
        .with("candidates", "1000")
        .with("noise-refresh", "500")
        .with("eval-window", "200")
        .with("seed", Long.toString(seed));
  }

  /** Lines of synthetic text: each line mixes words of one group with glue words. */
  public static List<String> text(int lines, long seed) {
    Random rnd = new Random(seed);
    String[] out = new String[lines];
    for (int i = 0; i < lines; i++) {
      String[] g = GROUPS[rnd.nextInt(GROUPS.length)];
      StringBuilder b = new StringBuilder();
      for (int w = 0; w < 12; w++) {
        if (w > 0) b.append(' ');
        b.append(w % 2 == 1 ? GLUE[rnd.nextInt(GLUE.length)] : g[rnd.nextInt(g.length)]);
      }
      out[i] = b.append('.').toString();
    }
    return List.of(out);
  }

  /** Trains a fresh learner on lines and returns its snapshot with the given version. */
  public static ModelSnapshot train(ModelConfig config, List<String> lines, long version) {
    Learner learner = new Learner(config);
    Tokenizer tokenizer = new Tokenizer(config.maxLineChars);
    for (String line : lines) learner.learn(tokenizer.tokenize(line));
    return learner.snapshot(version);
  }

  /** A transactional producer for {@link #publish}; the caller closes it. */
  public static KafkaProducer<String, byte[]> transactionalProducer(
      String bootstrapServers, String transactionalId) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    producer.initTransactions();
    return producer;
  }

  /**
   * Writes the snapshot's chunks (at most chunkBytes each) in one transaction, committed or, with
   * commit=false, aborted. Returns the number of chunks.
   */
  public static int publish(
      KafkaProducer<String, byte[]> producer,
      String topic,
      String modelId,
      ModelSnapshot s,
      int chunkBytes,
      boolean commit) {
    return publish(producer, topic, modelId, s, chunkBytes, commit, null);
  }

  /** As above, chunk i going to partition partitionOfChunk(i) (null: the key decides). */
  public static int publish(
      KafkaProducer<String, byte[]> producer,
      String topic,
      String modelId,
      ModelSnapshot s,
      int chunkBytes,
      boolean commit,
      java.util.function.IntUnaryOperator partitionOfChunk) {
    List<byte[]> chunks = SnapshotChunks.split(s.version, SnapshotCodec.encode(s), chunkBytes);
    producer.beginTransaction();
    for (int i = 0; i < chunks.size(); i++) {
      Integer partition = partitionOfChunk == null ? null : partitionOfChunk.applyAsInt(i);
      producer.send(
          new ProducerRecord<>(
              topic, partition, SnapshotChunks.chunkKey(modelId, i), chunks.get(i)));
    }
    producer.flush();
    if (commit) producer.commitTransaction();
    else producer.abortTransaction();
    return chunks.size();
  }

  /**
   * Publishes s in snapshot format 2 the way the app does: the row blocks publisher finds changed,
   * then the manifest, in one committed transaction, to partition partitionOf(key) (null: the key
   * decides). Returns the records sent.
   */
  public static int publishDelta(
      KafkaProducer<String, byte[]> producer,
      String topic,
      io.streamvec.model.io.SnapshotPublisher publisher,
      ModelSnapshot s,
      java.util.function.ToIntFunction<String> partitionOf) {
    int[] sent = {0};
    producer.beginTransaction();
    publisher.publish(
        s,
        (key, value) -> {
          Integer partition = partitionOf == null ? null : partitionOf.applyAsInt(key);
          producer.send(new ProducerRecord<>(topic, partition, key, value));
          sent[0]++;
        });
    producer.flush();
    producer.commitTransaction();
    return sent[0];
  }
}
