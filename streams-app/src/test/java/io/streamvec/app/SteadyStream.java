package io.streamvec.app;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A live, rate-limited stream: sends texts in order to a topic at a steady number of records per
 * second from its own thread, as a user's source would, while the test kills and restarts things.
 * With partitions > 1 record i goes to partition i % partitions.
 */
final class SteadyStream implements AutoCloseable {
  private final Thread thread;
  private final AtomicInteger sent = new AtomicInteger();
  private volatile Exception failure;
  private volatile boolean stop;
  private final java.util.concurrent.CountDownLatch released =
      new java.util.concurrent.CountDownLatch(1);

  SteadyStream(String servers, String topic, List<String> texts, int perSecond, int partitions) {
    this(servers, topic, texts, perSecond, partitions, texts.size());
  }

  /**
   * As above, but the stream pauses before record holdAt until {@link #release()}: a test that
   * needs its events (kills, restarts) to land mid-stream on a slow machine gets them there.
   */
  SteadyStream(
      String servers, String topic, List<String> texts, int perSecond, int partitions, int holdAt) {
    thread =
        new Thread(
            () -> {
              try (KafkaProducer<byte[], byte[]> p = KafkaTestClients.producer(servers)) {
                long start = System.nanoTime();
                for (int i = 0; i < texts.size() && !stop; i++) {
                  if (i == holdAt) {
                    long held = System.nanoTime();
                    released.await();
                    start += System.nanoTime() - held;
                  }
                  long due = start + i * 1_000_000_000L / perSecond;
                  long wait = due - System.nanoTime();
                  if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                  byte[] value = texts.get(i).getBytes(StandardCharsets.UTF_8);
                  Integer partition = partitions > 1 ? i % partitions : null;
                  p.send(
                      new ProducerRecord<>(topic, partition, null, value),
                      (metadata, e) -> {
                        if (e != null) failure = e;
                        else sent.incrementAndGet();
                      });
                }
                p.flush();
              } catch (Exception e) {
                failure = e;
              }
            },
            "steady-stream-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  /** Lets a held stream go on. */
  void release() {
    released.countDown();
  }

  /** Records acknowledged so far. */
  int sent() {
    return sent.get();
  }

  /** Waits until every record is acknowledged; rethrows a send failure. */
  void awaitAll(java.time.Duration timeout) throws Exception {
    release();
    thread.join(timeout.toMillis());
    if (failure != null) throw failure;
    if (thread.isAlive()) throw new AssertionError("the stream did not finish within " + timeout);
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    release();
    thread.join();
  }
}
