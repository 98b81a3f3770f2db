package io.streamvec.app.topology;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The dead-letter contract: why an input record was not used, and where it came from. A DLQ record
 * keeps the input's key, value and headers and adds these headers (UTF-8 text; numbers in decimal),
 * so anyone can find, inspect and replay what the app refused.
 */
public final class DeadLetter {
  private DeadLetter() {}

  public static final String REASON = "streamvec.dlq.reason";
  public static final String DETAIL = "streamvec.dlq.detail";
  public static final String SOURCE_TOPIC = "streamvec.source.topic";
  public static final String SOURCE_PARTITION = "streamvec.source.partition";
  public static final String SOURCE_OFFSET = "streamvec.source.offset";

  /** Only on values cut to fit a Kafka record: the original value size in bytes. */
  public static final String ORIGINAL_BYTES = "streamvec.dlq.original.bytes";

  public static final String NULL_VALUE = "null-value";
  public static final String EMPTY = "empty";
  public static final String TOO_LARGE = "too-large";
  public static final String INVALID_UTF8 = "invalid-utf8";
  public static final String BINARY = "binary";
  public static final String NO_TOKENS = "no-tokens";

  /** model.routing=key: the key names no model the app trains or admits. */
  public static final String UNKNOWN_MODEL = "unknown-model";

  /** The record would start one more model than models.max in its task. */
  public static final String MODELS_MAX = "models-max";

  /** The record's model cannot train: its config or stored state was refused, or it failed. */
  public static final String MODEL_FAILED = "model-failed";

  /** Every reason the app gives, for meters that must exist (at 0) before the first one. */
  public static final List<String> REASONS =
      List.of(
          NULL_VALUE,
          EMPTY,
          TOO_LARGE,
          INVALID_UTF8,
          BINARY,
          NO_TOKENS,
          UNKNOWN_MODEL,
          MODELS_MAX,
          MODEL_FAILED);

  /**
   * Key + value bytes a DLQ record may carry: the input fitted the broker's limit, but the added
   * headers must fit too, and an input topic may allow more than the DLQ topic.
   */
  public static final int MAX_RECORD_BYTES = 900_000;

  /** A copy of the input headers plus the dead-letter headers. */
  public static Headers headers(
      Headers input, String reason, String detail, String topic, int partition, long offset) {
    Headers h = new RecordHeaders(input == null ? null : input.toArray());
    put(h, REASON, reason);
    put(h, DETAIL, detail);
    put(h, SOURCE_TOPIC, topic == null ? "" : topic);
    put(h, SOURCE_PARTITION, Integer.toString(partition));
    put(h, SOURCE_OFFSET, Long.toString(offset));
    return h;
  }

  static void put(Headers h, String name, String value) {
    h.remove(name); // an input that already carries our header (a replayed DLQ record) gets the new
    // value
    h.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** The header's value as text, or null. */
  public static String header(Headers h, String name) {
    var last = h.lastHeader(name);
    return last == null || last.value() == null
        ? null
        : new String(last.value(), StandardCharsets.UTF_8);
  }
}
