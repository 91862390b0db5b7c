package org.keyprov.web.api;

/** An API answer other than success: status, a machine-readable code, the field, a sentence. */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;
  final String code;
  final String field;

  ApiException(int status, String code, String field, String message) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  static ApiException badRequest(String field, String message) {
    return new ApiException(400, "invalid", field, message);
  }
}
