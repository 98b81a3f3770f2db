package io.streamvec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.server.config.ServerLogConfigs;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * The app's producers batch a checkpoint or snapshot slice in 512 KiB batches, as Kafka's own
 * StreamsConfig hands them to each task's producer, unless a kafka.* key says otherwise; and such a
 * batch fits a default broker's record batch limit.
 */
class ProducerBatchConfigTest {

  private static Object batchSize(Map<String, String> keys) {
    StreamsConfig streams = new StreamsConfig(StreamsProperties.of(AppConfig.of(keys)));
    return streams.getProducerConfigs("p").get(ProducerConfig.BATCH_SIZE_CONFIG);
  }

  @Test
  void theProducersBatchHalfAMegabyteUnlessKafkaKeysSayOtherwise() {
    assertEquals(512 * 1024, batchSize(Map.of()));
    assertEquals("65536", batchSize(Map.of("kafka.batch.size", "65536")));
    assertEquals("32768", batchSize(Map.of("kafka.producer.batch.size", "32768")));
  }

  @Test
  void aFullBatchFitsTheBrokersDefaultRecordBatchLimit() {
    // the producer closes a batch before it outgrows batch.size, header included
    int batch = StreamsProperties.PRODUCER_BATCH_BYTES;
    assertTrue(
        batch <= ServerLogConfigs.MAX_MESSAGE_BYTES_DEFAULT,
        batch + " > message.max.bytes " + ServerLogConfigs.MAX_MESSAGE_BYTES_DEFAULT);
  }
}
