package io.streamvec.app.topology;

import io.streamvec.app.config.ModelsConfig;
import io.streamvec.app.status.TrainingStatus;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * First step after the input topics, one instance per input partition (so tokenizing runs in
 * parallel): every record either becomes token lines for its model ({@link ModelsConfig#route}: by
 * topic or by key) or a dead letter with its reason and origin in headers. Nothing here throws on
 * input; nothing is dropped silently.
 */
public final class ValidateProcessor implements Processor<byte[], byte[], byte[], Checked> {
  private final RecordValidator validator;
  private final TrainingStatus status;
  private final ModelsConfig models;
  private ProcessorContext<byte[], Checked> context;

  public ValidateProcessor(
      int maxRecordBytes, int maxTokenizerChars, TrainingStatus status, ModelsConfig models) {
    this.validator = new RecordValidator(maxRecordBytes, maxTokenizerChars);
    this.status = status;
    this.models = models;
  }

  @Override
  public void init(ProcessorContext<byte[], Checked> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata origin = context.recordMetadata().orElse(null);
    String model = models.route(origin == null ? null : origin.topic(), record.key());
    RecordValidator.Verdict verdict =
        model != null
            ? validator.check(record.value())
            : new RecordValidator.Verdict(
                DeadLetter.UNKNOWN_MODEL,
                models.admitsNew()
                    ? "the key is not a model name (" + ModelsConfig.NAME_RULE + ")"
                    : "the key names none of the models " + String.join(",", models.names()),
                List.of());
    if (verdict.accepted()) {
      // the input's headers stay behind: the trainer only needs the tokens
      for (String[] tokens : verdict.tokenLines())
        context.forward(
            record.withValue(Checked.line(tokens, model)).withHeaders(new RecordHeaders()));
      return;
    }
    status.deadLettered(verdict.reason());
    Headers headers =
        DeadLetter.headers(
            record.headers(),
            verdict.reason(),
            verdict.detail(),
            origin == null ? null : origin.topic(),
            origin == null ? -1 : origin.partition(),
            origin == null ? -1 : origin.offset());
    context.forward(
        record
            .withValue(Checked.dead(fitted(record.key(), record.value(), headers)))
            .withHeaders(headers));
  }

  /**
   * The original value, or its head if key + value would not fit a DLQ record (then the header says
   * how big it was).
   */
  private static byte[] fitted(byte[] key, byte[] value, Headers headers) {
    if (value == null) return null;
    int room = Math.max(0, DeadLetter.MAX_RECORD_BYTES - (key == null ? 0 : key.length));
    if (value.length <= room) return value;
    DeadLetter.put(headers, DeadLetter.ORIGINAL_BYTES, Integer.toString(value.length));
    return Arrays.copyOf(value, room);
  }
}
