package io.streamvec.model.io;

import java.io.IOException;

/**
 * Bytes that are not a snapshot (or a snapshot chunk) this reader can use: bad magic, a newer
 * format version, a checksum mismatch, truncation, or inconsistent shapes. The message says which,
 * so a reader can log it as is.
 */
public final class InvalidSnapshotException extends IOException {
  public InvalidSnapshotException(String message) {
    super(message);
  }

  public InvalidSnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
