package io.streamvec.app.query;

import io.streamvec.model.io.InvalidSnapshotException;
import io.streamvec.model.query.CompactSnapshot;
import io.streamvec.model.query.CompactSnapshotAssembler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the history topic from its start and follows it on a thread of its own, handing each
 * model's compact snapshots to its {@link SnapshotHistory} (the last N in memory, the rest indexed
 * by position), and reads an indexed version back when a query asks for it.
 *
 * <p>The trainer writes a snapshot's history record in the same transaction as the snapshot
 * (read_committed here): every instance sees exactly the versions that were committed, with the
 * time the trainer stamped them, so drift and time-travel answers are the same on every instance
 * and after a restart. The topic's time retention (history.retention.ms) bounds how far back that
 * reaches; reading it from the start costs one pass over it when the app starts.
 *
 * <p>A broker that cannot be reached or a topic not there yet is retried every {@link #RETRY}.
 */
public final class HistoryFollower implements AutoCloseable {
  static final Duration RETRY = Duration.ofSeconds(5), POLL = Duration.ofMillis(200);
  static final Duration LOAD_TIMEOUT = Duration.ofSeconds(10), PRUNE = Duration.ofMinutes(1);
  private static final Logger log = LoggerFactory.getLogger(HistoryFollower.class);

  private final Properties client;
  private final String topic;
  private final Function<String, SnapshotHistory> historyOf;
  private final Set<String> wired = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean running = true;
  private KafkaConsumer<String, byte[]> reader; // reads versions back; guarded by this

  private HistoryFollower(
      Properties client, String topic, Function<String, SnapshotHistory> historyOf) {
    this.client = client;
    this.topic = topic;
    this.historyOf = historyOf;
    this.thread = new Thread(this::follow, "streamvec-history");
    thread.setDaemon(true);
  }

  /** Starts following topic; historyOf(model) is the history of a model (created if new). */
  public static HistoryFollower start(
      Properties client, String topic, Function<String, SnapshotHistory> historyOf) {
    HistoryFollower f = new HistoryFollower(client, topic, historyOf);
    f.thread.start();
    return f;
  }

  private KafkaConsumer<String, byte[]> consumer(String reset, String id) {
    Properties p = new Properties();
    p.putAll(client);
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
    p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private void follow() {
    while (running) {
      try (KafkaConsumer<String, byte[]> c = consumer("earliest", "streamvec-history")) {
        List<PartitionInfo> info = c.partitionsFor(topic);
        if (info == null || info.isEmpty())
          throw new KafkaException("topic '" + topic + "' does not exist (yet)");
        List<TopicPartition> partitions =
            info.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        CompactSnapshotAssembler assembler = new CompactSnapshotAssembler();
        long pruned = System.nanoTime();
        while (running) {
          for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) accept(assembler, r);
          if (System.nanoTime() - pruned > PRUNE.toNanos()) {
            forgetDeleted(c, partitions);
            pruned = System.nanoTime();
          }
        }
      } catch (KafkaException e) {
        if (!running) return;
        log.warn(
            "reading the history topic '{}' failed ({}); retrying in {} s",
            topic,
            e.getMessage(),
            RETRY.toSeconds());
      } catch (RuntimeException e) {
        if (!running) return;
        log.error("following the history topic '{}' failed; retrying", topic, e);
      }
      try {
        closed.await(RETRY.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The versions the topic's retention deleted leave the index: queries no longer offer them. */
  private void forgetDeleted(KafkaConsumer<String, byte[]> c, List<TopicPartition> partitions) {
    Map<TopicPartition, Long> logStart;
    try {
      logStart = c.beginningOffsets(partitions);
    } catch (KafkaException e) {
      log.debug("the history topic's start offsets are not known now: {}", e.toString());
      return; // the next minute asks again; following goes on
    }
    for (String model : wired)
      logStart.forEach((tp, offset) -> historyOf.apply(model).forget(tp.partition(), offset));
  }

  private void accept(CompactSnapshotAssembler assembler, ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) return;
    CompactSnapshotAssembler.Completed done;
    try {
      done = assembler.accept(r.key(), r.value(), r.offset());
    } catch (InvalidSnapshotException e) {
      log.warn("history record {}@{} of '{}' skipped: {}", r.partition(), r.offset(), r.key(), e);
      return;
    }
    if (done == null) return;
    CompactSnapshot s = done.snapshot();
    history(r.key())
        .remember(
            s,
            new SnapshotHistory.Stored(
                s.version, s.timeMs, s.tokens, r.partition(), done.position()));
  }

  private SnapshotHistory history(String model) {
    SnapshotHistory h = historyOf.apply(model);
    if (wired.add(model)) h.readBackWith(where -> load(model, where));
    return h;
  }

  /** Reads one version of model back from the topic; null when retention deleted it. */
  synchronized CompactSnapshot load(String model, SnapshotHistory.Stored where) {
    if (!running) return null;
    TopicPartition tp = new TopicPartition(topic, where.partition());
    try {
      if (reader == null) reader = consumer("none", "streamvec-history-reader");
      reader.assign(List.of(tp));
      reader.seek(tp, where.offset());
      CompactSnapshotAssembler assembler = new CompactSnapshotAssembler();
      long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(POLL)) {
          if (!model.equals(r.key())) continue;
          CompactSnapshotAssembler.Completed done = assembler.accept(model, r.value(), r.offset());
          if (done == null) continue;
          if (done.snapshot().version == where.version()) return done.snapshot();
          if (done.snapshot().version > where.version()) return null;
        }
      }
      log.warn("reading version {} of '{}' back timed out", where.version(), model);
    } catch (InvalidSnapshotException | KafkaException e) {
      // OffsetOutOfRangeException: the topic's retention deleted it
      log.info("version {} of '{}' cannot be read back: {}", where.version(), model, e.toString());
      closeReader();
    }
    return null;
  }

  private void closeReader() {
    if (reader != null) reader.close(Duration.ofSeconds(2));
    reader = null;
  }

  @Override
  public void close() {
    running = false;
    closed.countDown();
    try {
      thread.join(POLL.multipliedBy(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      closeReader();
    }
  }
}
