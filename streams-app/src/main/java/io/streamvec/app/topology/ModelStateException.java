package io.streamvec.app.topology;

/**
 * The trainer's stored state cannot be restored exactly; retrying will not help (the app stops).
 */
public final class ModelStateException extends RuntimeException {
  public ModelStateException(String message) {
    super(message);
  }

  public ModelStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
