package io.streamvec.app.query;

import java.util.Map;

/** A request the API answers with an error status and {"error": message, ...details}. */
final class ApiException extends RuntimeException {
  final int status;
  final Map<String, Object> details;

  ApiException(int status, String message) {
    this(status, message, Map.of());
  }

  ApiException(int status, String message, Map<String, Object> details) {
    super(message);
    this.status = status;
    this.details = details;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }
}
