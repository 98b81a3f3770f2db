package io.streamvec.app.query;

/** A request the API answers with an error status and {"error": message}. */
final class ApiException extends RuntimeException {
  final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }
}
