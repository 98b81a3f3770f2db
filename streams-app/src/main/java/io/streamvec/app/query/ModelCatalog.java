package io.streamvec.app.query;

import io.streamvec.app.snapshots.KafkaSnapshotReader;
import io.streamvec.app.snapshots.SnapshotReadException;
import io.streamvec.model.ModelSnapshot;
import java.time.Duration;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the snapshots topic on a thread of its own and hands every model's newest committed
 * snapshot to the query side, so that any instance answers for any model: the one whose instance
 * trains it, the ones trained elsewhere in this application, and those of other applications that
 * share the topic.
 *
 * <p>Why the topic rather than forwarding each request to the owner: the topic holds exactly what
 * was committed (read_committed), so an instance never serves a snapshot whose transaction a crash
 * later aborted; while ownership moves (a rebalance, a failover of several seconds) the last
 * snapshot keeps answering where a forward would have no owner to ask; a query costs no network
 * hop; and models of other applications on the same topic are served too. The price is memory:
 * every instance keeps every model's newest snapshot (assembled from its delta records; a new
 * version shares the row blocks it did not change with the one before) and one query scale per
 * word, so about the model's floats once per model, plus its history.
 *
 * <p>A broker that cannot be reached or a topic not there yet is retried every {@link #RETRY},
 * never fatal: the query side then serves what it has.
 */
public final class ModelCatalog implements AutoCloseable {
  static final Duration RETRY = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

  private final Properties client;
  private final String topic;
  private final BiConsumer<String, ModelSnapshot> onSnapshot;
  private final Thread thread;
  private volatile boolean running = true;

  private ModelCatalog(
      Properties client, String topic, BiConsumer<String, ModelSnapshot> onSnapshot) {
    this.client = client;
    this.topic = topic;
    this.onSnapshot = onSnapshot;
    this.thread = new Thread(this::follow, "streamvec-model-catalog");
    thread.setDaemon(true);
  }

  /**
   * Starts following topic with these Kafka client settings; onSnapshot(model, snapshot) hears each
   * model's newest snapshot after the first catch-up, then every newer one.
   */
  public static ModelCatalog start(
      Properties client, String topic, BiConsumer<String, ModelSnapshot> onSnapshot) {
    ModelCatalog c = new ModelCatalog(client, topic, onSnapshot);
    c.thread.start();
    return c;
  }

  private void follow() {
    while (running) {
      try (KafkaSnapshotReader reader = KafkaSnapshotReader.allModels(client, topic)) {
        reader.watchAll(onSnapshot, () -> running);
      } catch (SnapshotReadException | org.apache.kafka.common.KafkaException e) {
        if (!running) return;
        log.warn(
            "reading the models on topic '{}' failed ({}); retrying in {} s",
            topic,
            e.getMessage(),
            RETRY.toSeconds());
      } catch (RuntimeException e) {
        if (!running) return;
        log.error("following the models on topic '{}' failed; retrying", topic, e);
      }
      sleep(RETRY);
    }
  }

  private void sleep(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    while (running && System.nanoTime() < until) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(KafkaSnapshotReader.POLL.multipliedBy(4).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
