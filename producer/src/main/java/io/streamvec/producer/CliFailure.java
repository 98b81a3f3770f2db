package io.streamvec.producer;

/**
 * A command cannot go on: the message is for the user (printed after the command name) and the exit
 * code tells scripts what went wrong. The codes are the same for every command.
 */
final class CliFailure extends Exception {
  static final int FAILED = 1; // anything else (no snapshot yet, unknown word, I/O error)
  static final int USAGE = 2; // bad arguments or config
  static final int MISSING_INPUT = 3; // an input file or directory does not exist or cannot be read
  static final int BROKER_UNREACHABLE = 4; // no answer from Kafka within the bounded timeout
  static final int TOPIC_UNAVAILABLE =
      5; // the topic is missing and cannot be created (or, for readers, missing)

  final int exitCode;

  CliFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  CliFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }
}
