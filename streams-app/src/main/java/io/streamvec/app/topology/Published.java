package io.streamvec.app.topology;

/**
 * What the trainer hands on, inside one task (never serialized): a snapshot chunk or a metrics JSON
 * record.
 */
public record Published(boolean snapshotChunk, byte[] value) {
  static Published chunk(byte[] value) {
    return new Published(true, value);
  }

  static Published metrics(byte[] json) {
    return new Published(false, json);
  }
}
