package io.streamvec.app.config;

/** A configuration problem; its message names the key, what is wrong and how to fix it. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
