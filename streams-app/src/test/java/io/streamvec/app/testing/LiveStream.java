package io.streamvec.app.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A live, rate-limited stream of lines into a topic from a thread of its own, as a user's source
 * runs: text keeps arriving while the app trains, snapshots, checkpoints, crashes, fails over and
 * restarts. With partitions > 1 line i goes to partition i % partitions. {@link #sent()} lists the
 * acknowledged lines in the order of their partition (the topic's order when there is one).
 */
public final class LiveStream implements AutoCloseable {
  private final List<String> source;
  private final List<String> sent = new ArrayList<>();
  private final CountDownLatch released = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean stopping;
  private volatile Throwable failure;

  /** Starts sending source's lines, in order, at linesPerSecond to partition 0 of topic. */
  public LiveStream(String servers, String topic, List<String> source, double linesPerSecond) {
    this(servers, topic, source, linesPerSecond, 1, source.size());
  }

  /**
   * As above over partitions partitions, pausing before line holdAt until {@link #release()}: a
   * test whose events (kills, restarts) must land mid-stream on a slow machine gets them there.
   */
  public LiveStream(
      String servers,
      String topic,
      List<String> source,
      double linesPerSecond,
      int partitions,
      int holdAt) {
    this.source = source;
    long periodNanos = (long) (1e9 / linesPerSecond);
    thread =
        new Thread(
            () -> {
              try (KafkaProducer<byte[], byte[]> producer = producer(servers)) {
                long start = System.nanoTime();
                for (int i = 0; i < source.size() && !stopping; i++) {
                  if (i == holdAt) {
                    long held = System.nanoTime();
                    released.await();
                    start += System.nanoTime() - held;
                  }
                  long wait = start + i * periodNanos - System.nanoTime();
                  if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                  String line = source.get(i);
                  byte[] value = line.getBytes(StandardCharsets.UTF_8);
                  producer.send(
                      new ProducerRecord<>(topic, i % partitions, null, value),
                      (metadata, e) -> {
                        if (e != null) failure = e;
                        else
                          synchronized (sent) {
                            sent.add(line);
                          }
                      });
                }
                producer.flush();
              } catch (Throwable t) {
                failure = t;
              }
            },
            "live-stream-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  private static KafkaProducer<byte[], byte[]> producer(String servers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            servers,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            // one request in flight: with several, a retried batch can loop on
            // OUT_OF_ORDER_SEQUENCE_NUMBER until it expires (KAFKA-14359)
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
            1,
            // a broker failover holds sends until the new leaders are known
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            60_000),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** Lines acknowledged so far. */
  public List<String> sent() {
    synchronized (sent) {
      return List.copyOf(sent);
    }
  }

  public int sentCount() {
    synchronized (sent) {
      return sent.size();
    }
  }

  /** Lets a held stream go on. */
  public void release() {
    released.countDown();
  }

  /** Waits until every line is acknowledged (releasing a held stream); rethrows a failure. */
  public void awaitAll(Duration timeout) throws InterruptedException {
    release();
    thread.join(timeout.toMillis());
    if (failure != null) throw new AssertionError("the live stream failed", failure);
    if (thread.isAlive()) throw new AssertionError("the stream did not finish within " + timeout);
  }

  /** Stops sending and returns every line sent; fails if sending failed or the source ran out. */
  public List<String> stop() throws InterruptedException {
    stopping = true;
    release();
    thread.join(30_000);
    if (failure != null) throw new AssertionError("the live stream failed", failure);
    if (thread.isAlive()) throw new AssertionError("the live stream did not stop");
    List<String> all = sent();
    if (all.size() == source.size())
      throw new AssertionError("the live stream ran out of lines: give it a longer source");
    return all;
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    release();
    thread.join(30_000);
  }
}
