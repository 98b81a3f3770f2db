package io.streamvec.app.snapshots;

/**
 * Reading snapshots from Kafka failed. The message says what happened and what to do (command-line
 * tools print it as it is); {@link #reason()} lets them choose an exit code.
 */
public final class SnapshotReadException extends RuntimeException {
  public enum Reason {
    BROKER_UNREACHABLE,
    TOPIC_MISSING,
    TIMED_OUT,
    KAFKA_ERROR
  }

  private final Reason reason;

  public SnapshotReadException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
