package io.streamvec.app.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A steady, rate-limited stream of lines into a topic on a thread of its own, as users run the app:
 * text keeps arriving while the app trains, snapshots, checkpoints, crashes and restarts. Each line
 * is acknowledged before the next is sent, so {@link #sent()} is the topic's order.
 */
public final class LiveStream implements AutoCloseable {
  private final List<String> source;
  private final List<String> sent = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stopping;
  private volatile Throwable failure;

  /** Starts sending source's lines, in order, at linesPerSecond to topic (partition 0). */
  public LiveStream(String servers, String topic, List<String> source, double linesPerSecond) {
    this.source = source;
    long periodNanos = (long) (1e9 / linesPerSecond);
    thread =
        new Thread(
            () -> {
              try (KafkaProducer<byte[], byte[]> producer = producer(servers)) {
                long next = System.nanoTime();
                for (int i = 0; i < source.size() && !stopping; i++) {
                  byte[] value = source.get(i).getBytes(StandardCharsets.UTF_8);
                  producer.send(new ProducerRecord<>(topic, 0, null, value)).get();
                  synchronized (sent) {
                    sent.add(source.get(i));
                  }
                  next += periodNanos;
                  long wait = next - System.nanoTime();
                  if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
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
        java.util.Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            servers,
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** Lines acknowledged so far, in order. */
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

  /** Stops sending and returns every line sent; fails if sending failed or the source ran out. */
  public List<String> stop() throws InterruptedException {
    stopping = true;
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
    thread.join(30_000);
  }
}
