package io.streamvec.app.snapshots;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotAssembler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Subscribes to a snapshots topic and hands out the newest complete model snapshot, for any JVM
 * program. Assembly and verification are {@link SnapshotAssembler}'s (pure, in model/); this class
 * only moves chunk records from Kafka into it.
 *
 * <p>Reads with {@code isolation.level=read_committed}, so chunks of a snapshot whose transaction
 * was aborted never arrive; without a consumer group (all partitions assigned by the reader), so
 * readers leave no offsets behind and every reader sees the whole topic. Several models may share
 * one topic: a reader of one model uses only the records keyed by it ({@link SnapshotKeys}); a
 * reader of {@link #allModels} assembles each model apart and reports each model's snapshots.
 * Topics of formats 3 and 5 hold row blocks and manifests: the first read materialises the newest
 * complete version once, later ones apply only the changed blocks; a version whose manifest has not
 * been committed (written over several transactions, or abandoned by a writer that died) is never
 * handed out.
 *
 * <p>Not thread-safe (a KafkaConsumer inside): use one reader from one thread; {@link #watch}
 * returns when {@code keepGoing} says so, checked at least every {@link #POLL}.
 */
public final class KafkaSnapshotReader implements AutoCloseable {
  /** How long one poll may block: bounds how late watch() notices keepGoing turning false. */
  public static final Duration POLL = Duration.ofMillis(500);

  /** Metadata requests give up after this long when the broker cannot be reached. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  /**
   * How long a read waits for transactions open when it starts (a snapshot being committed) to be
   * decided.
   */
  static final Duration PENDING_WAIT = Duration.ofSeconds(3);

  /**
   * The first read starts this many offsets before the end of each partition (then 8x more, ...).
   */
  static final long TAIL_RECORDS = 256;

  private final String topic;
  private final String modelId; // null: every model on the topic
  private final String servers;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaConsumer<byte[], byte[]> uncommitted; // only asks for high watermarks

  private Map<String, SnapshotAssembler> assemblers = new TreeMap<>(); // by model
  private List<TopicPartition> partitions; // assigned on first use
  private boolean caughtUp; // the first catch-up (tail first) is done
  private long tailRecords = TAIL_RECORDS;
  private long records;

  /**
   * @param clientProperties Kafka client settings (at least bootstrap.servers; security settings
   *     pass through); deserializers, group and isolation level are set here
   * @param topic the snapshots topic
   * @param modelId the model whose snapshots to read (records keyed modelId/i)
   */
  public KafkaSnapshotReader(Properties clientProperties, String topic, String modelId) {
    this.topic = topic;
    this.modelId = modelId;
    Properties p = new Properties();
    p.putAll(clientProperties);
    this.servers = String.valueOf(p.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CONNECT_TIMEOUT.toMillis());
    p.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    // One snapshot can be tens of MB: fetch it in large pieces.
    p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streamvec-snapshot-reader");
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, p.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-hw");
    this.uncommitted =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * A reader of every model's snapshots on topic: {@link #readAll} and {@link #watchAll}. Its first
   * read goes through the whole topic (the tail of one model says nothing about the others), and it
   * keeps each model's newest snapshot in memory.
   */
  public static KafkaSnapshotReader allModels(Properties clientProperties, String topic) {
    KafkaSnapshotReader r = new KafkaSnapshotReader(clientProperties, topic, null);
    r.tailRecords = Long.MAX_VALUE / 16;
    return r;
  }

  /**
   * A reader of the snapshots topic and model named by the app's config (snapshots.topic,
   * model.id).
   */
  public static KafkaSnapshotReader of(AppConfig config) {
    return new KafkaSnapshotReader(
        config.kafkaClientProperties(),
        config.get(AppKeys.SNAPSHOTS_TOPIC),
        config.get(AppKeys.MODEL_ID));
  }

  /**
   * Reads the topic up to its end as of this call and returns the newest complete snapshot (empty
   * if there is none yet). A snapshot whose transaction is being committed at that moment is waited
   * for, up to {@link #PENDING_WAIT}. Later calls read on from where the last one stopped.
   *
   * <p>The first read does not replay the whole history: a compacted topic still holds every
   * snapshot in its active segment, and one snapshot is the last few records. It reads the last
   * {@value #TAIL_RECORDS} offsets of each partition and accepts the result if a snapshot completed
   * there and no chunk of a newer one is left over (a newer snapshot cut by the window start);
   * otherwise it reads 8 times further back, up to the whole partition. With one writer whose
   * versions grow in offset order this gives the same answer as reading everything.
   *
   * @throws SnapshotReadException if the broker cannot be reached, the topic does not exist, or the
   *     end is not reached within timeout
   */
  public Optional<ModelSnapshot> readLatest(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!catchUp(deadline, () -> true)) {
      throw new SnapshotReadException(
          SnapshotReadException.Reason.TIMED_OUT,
          "read only part of topic '"
              + topic
              + "' within "
              + timeout.toSeconds()
              + " s ("
              + records
              + " records so far); a larger timeout may help",
          null);
    }
    return latest();
  }

  /**
   * Reads the topic up to its end as of this call (as {@link #readLatest}) and returns the newest
   * complete snapshot of each model found, by model name.
   */
  public Map<String, ModelSnapshot> readAll(Duration timeout) {
    readLatest(timeout);
    return latestAll();
  }

  /**
   * Catches up with the topic, calls onNew with the newest snapshot found there (if any), then
   * keeps reading and calls onNew with every newer snapshot as it completes, until keepGoing
   * returns false. Exceptions thrown by onNew propagate.
   */
  public void watch(Consumer<ModelSnapshot> onNew, BooleanSupplier keepGoing) {
    watchAll((model, s) -> onNew.accept(s), keepGoing);
  }

  /**
   * As {@link #watch}, for every model this reader reads: onNew(model, snapshot) with each model's
   * newest snapshot after the catch-up, then with every newer one as it completes.
   */
  public void watchAll(BiConsumer<String, ModelSnapshot> onNew, BooleanSupplier keepGoing) {
    // No deadline but keepGoing; ten years keeps nanoTime arithmetic far from overflow.
    if (!catchUp(System.nanoTime() + Duration.ofDays(3650).toNanos(), keepGoing)) return;
    latestAll().forEach(onNew);
    while (keepGoing.getAsBoolean()) pollOnce(POLL, onNew);
  }

  /**
   * Reads up to the end offsets as of now; false if the deadline passed or keepGoing said stop
   * first.
   */
  private boolean catchUp(long deadline, BooleanSupplier keepGoing) {
    assignIfNeeded(remaining(deadline, CONNECT_TIMEOUT));
    // read_committed: up to the last stable offsets, once the transactions open now are decided
    Map<TopicPartition, Long> end = settledEnd(deadline);
    if (caughtUp) return readTo(end, deadline, keepGoing);
    Map<TopicPartition, Long> begin = offsets(false, deadline);
    for (long window = tailRecords; ; window = Math.min(window * 8, Long.MAX_VALUE / 16)) {
      boolean whole = true;
      for (TopicPartition tp : partitions) {
        long b = begin.getOrDefault(tp, 0L), from = Math.max(b, end.getOrDefault(tp, 0L) - window);
        whole &= from == b;
        consumer.seek(tp, from);
      }
      assemblers = new TreeMap<>();
      records = 0;
      if (!readTo(end, deadline, keepGoing)) return false;
      if (whole || (latest().isPresent() && assembler().partialCount() == 0)) break;
    }
    caughtUp = true;
    return true;
  }

  private boolean readTo(Map<TopicPartition, Long> end, long deadline, BooleanSupplier keepGoing) {
    while (!reached(end)) {
      if (System.nanoTime() - deadline > 0 || !keepGoing.getAsBoolean()) return false;
      pollOnce(remaining(deadline, POLL), null);
    }
    return true;
  }

  /**
   * The last stable offsets once the transactions open at this call are decided (at most {@link
   * #PENDING_WAIT}): a writer's commit returns before the broker has written its commit markers,
   * and until then the snapshot it just committed lies beyond the last stable offset. Without this
   * wait a reader asking right after a commit would not see that snapshot.
   */
  private Map<TopicPartition, Long> settledEnd(long deadline) {
    Map<TopicPartition, Long> stable = offsets(true, deadline);
    Map<TopicPartition, Long> high;
    Duration wait = remaining(deadline, CONNECT_TIMEOUT);
    try {
      high = uncommitted.endOffsets(partitions, wait);
    } catch (TimeoutException e) {
      throw unreachable(wait, e);
    }
    long until = System.nanoTime() + PENDING_WAIT.toNanos();
    while (!covers(stable, high)
        && System.nanoTime() - until < 0
        && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      stable = offsets(true, deadline);
    }
    return stable;
  }

  private boolean covers(Map<TopicPartition, Long> stable, Map<TopicPartition, Long> high) {
    for (TopicPartition tp : partitions)
      if (stable.getOrDefault(tp, 0L) < high.getOrDefault(tp, 0L)) return false;
    return true;
  }

  private Map<TopicPartition, Long> offsets(boolean end, long deadline) {
    Duration wait = remaining(deadline, CONNECT_TIMEOUT);
    try {
      return end
          ? consumer.endOffsets(partitions, wait)
          : consumer.beginningOffsets(partitions, wait);
    } catch (TimeoutException e) {
      throw unreachable(wait, e);
    }
  }

  /** For tests: a smaller first window than {@value #TAIL_RECORDS}. */
  void tailRecords(long n) {
    tailRecords = n;
  }

  /** The newest complete snapshot read so far (of the model this reader was made for). */
  public Optional<ModelSnapshot> latest() {
    return assembler().latest();
  }

  /** The newest complete snapshot of each model read so far, by model name. */
  public Map<String, ModelSnapshot> latestAll() {
    Map<String, ModelSnapshot> out = new TreeMap<>();
    assemblers.forEach((model, a) -> a.latest().ifPresent(s -> out.put(model, s)));
    return out;
  }

  /** Chunk records of this model read so far. */
  public long recordsRead() {
    return records;
  }

  /**
   * The assembler's counters of the model this reader was made for: chunks rejected as corrupt,
   * duplicates, stale chunks.
   */
  public SnapshotAssembler assembler() {
    if (modelId == null) return new SnapshotAssembler(); // a reader of all models has no one model
    return assemblers.computeIfAbsent(modelId, m -> new SnapshotAssembler());
  }

  private void pollOnce(Duration wait, BiConsumer<String, ModelSnapshot> onNew) {
    try {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
        String model =
            r.key() == null
                ? null
                : SnapshotKeys.modelOf(new String(r.key(), StandardCharsets.UTF_8));
        if (model == null || (modelId != null && !model.equals(modelId))) continue;
        records++;
        Optional<ModelSnapshot> done =
            assemblers.computeIfAbsent(model, m -> new SnapshotAssembler()).accept(r.value());
        if (done.isPresent() && onNew != null) onNew.accept(model, done.get());
      }
    } catch (KafkaException e) {
      throw new SnapshotReadException(
          SnapshotReadException.Reason.KAFKA_ERROR,
          "reading topic '" + topic + "' from " + servers + " failed: " + e.getMessage(),
          e);
    }
  }

  private void assignIfNeeded(Duration wait) {
    if (partitions != null) return;
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic, wait);
    } catch (TimeoutException e) {
      throw unreachable(wait, e);
    } catch (KafkaException e) {
      throw new SnapshotReadException(
          SnapshotReadException.Reason.KAFKA_ERROR,
          "cannot read the partitions of topic '"
              + topic
              + "' from "
              + servers
              + ": "
              + e.getMessage(),
          e);
    }
    if (infos == null || infos.isEmpty()) {
      throw new SnapshotReadException(
          SnapshotReadException.Reason.TOPIC_MISSING,
          "topic '"
              + topic
              + "' does not exist on "
              + servers
              + " (the app creates it when it starts: ./streamvec app; another name is set with --set snapshots.topic=NAME)",
          null);
    }
    List<TopicPartition> tps = new ArrayList<>();
    for (PartitionInfo i : infos) tps.add(new TopicPartition(topic, i.partition()));
    consumer.assign(tps);
    partitions = tps;
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    try {
      for (TopicPartition tp : partitions)
        if (consumer.position(tp, CONNECT_TIMEOUT) < end.getOrDefault(tp, 0L)) return false;
      return true;
    } catch (TimeoutException e) {
      throw unreachable(CONNECT_TIMEOUT, e);
    }
  }

  private SnapshotReadException unreachable(Duration waited, Exception cause) {
    return new SnapshotReadException(
        SnapshotReadException.Reason.BROKER_UNREACHABLE,
        "cannot reach Kafka at "
            + servers
            + " (no answer within "
            + String.format(java.util.Locale.ROOT, "%.0f", waited.toMillis() / 1000.0)
            + " s); is the broker running? (./streamvec broker start, or pass --bootstrap-servers HOST:PORT)",
        cause);
  }

  private static Duration remaining(long deadline, Duration cap) {
    long left = Math.max(1, deadline - System.nanoTime());
    return min(Duration.ofNanos(left), cap);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public void close() {
    try {
      consumer.close();
    } finally {
      uncommitted.close();
    }
  }
}
