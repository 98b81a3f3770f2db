package io.streamvec.app.topology;

/**
 * What the trainer hands on, inside one task (never serialized): a snapshot chunk, a chunk of the
 * snapshot's compact form for the history topic, a metrics JSON record, or the token line of a
 * record its model cannot take (a dead letter; reason in headers).
 */
public record Published(Kind kind, byte[] value) {
  public enum Kind {
    SNAPSHOT_CHUNK,
    HISTORY_CHUNK,
    METRICS,
    DEAD_LETTER
  }

  static Published chunk(byte[] value) {
    return new Published(Kind.SNAPSHOT_CHUNK, value);
  }

  static Published history(byte[] value) {
    return new Published(Kind.HISTORY_CHUNK, value);
  }

  static Published metrics(byte[] json) {
    return new Published(Kind.METRICS, json);
  }

  static Published dead(byte[] line) {
    return new Published(Kind.DEAD_LETTER, line);
  }

  public boolean snapshotChunk() {
    return kind == Kind.SNAPSHOT_CHUNK;
  }

  public boolean historyChunk() {
    return kind == Kind.HISTORY_CHUNK;
  }

  public boolean deadLetter() {
    return kind == Kind.DEAD_LETTER;
  }
}
