package io.streamvec.app;

/**
 * The app cannot start (e.g. Kafka unreachable, a topic cannot be created); the message says why
 * and what to do.
 */
public final class StartupException extends RuntimeException {
  public StartupException(String message) {
    super(message);
  }

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
