package io.streamvec.producer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes sure the topic to write to exists, creating it when missing. This is also the producer's
 * first contact with Kafka, so an unreachable broker is reported here within {@link #TIMEOUT} (exit
 * code 4) instead of a send that blocks.
 */
final class TopicAdmin {
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private TopicAdmin() {}

  /**
   * Creates the topic with these topic configs if it is missing; returns true if it was created,
   * false if it was there (its configs are then left as they are).
   */
  static boolean ensureTopic(
      Properties client,
      String topic,
      int partitions,
      short replication,
      java.util.Map<String, String> configs)
      throws CliFailure {
    Properties p = new Properties();
    p.putAll(client);
    p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    String servers = String.valueOf(p.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    try (Admin admin = Admin.create(p)) {
      try {
        admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        return false;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException))
          throw failure(e.getCause(), servers, topic, "look up");
      }
      try {
        admin
            .createTopics(List.of(new NewTopic(topic, partitions, replication).configs(configs)))
            .all()
            .get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        return true;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException)
          return false; // someone else created it meanwhile
        throw failure(e.getCause(), servers, topic, "create");
      }
    } catch (TimeoutException e) {
      throw unreachable(servers);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(CliFailure.FAILED, "interrupted");
    }
  }

  private static CliFailure failure(Throwable cause, String servers, String topic, String what) {
    if (cause instanceof org.apache.kafka.common.errors.TimeoutException)
      return unreachable(servers);
    return new CliFailure(
        CliFailure.TOPIC_UNAVAILABLE,
        "topic '"
            + topic
            + "' "
            + (what.equals("create")
                ? "does not exist and cannot be created"
                : "cannot be looked up")
            + " on "
            + servers
            + ": "
            + cause.getMessage(),
        cause);
  }

  static CliFailure unreachable(String servers) {
    return new CliFailure(
        CliFailure.BROKER_UNREACHABLE,
        "cannot reach Kafka at "
            + servers
            + " (no answer within "
            + TIMEOUT.toSeconds()
            + " s); is the broker running? (./streamvec broker start, or pass --bootstrap-servers HOST:PORT)");
  }
}
