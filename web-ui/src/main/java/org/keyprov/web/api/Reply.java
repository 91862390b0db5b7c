package org.keyprov.web.api;

/**
 * An operation's answer when it is not the usual one: another status, a {@code Location}, a body
 * that is not JSON.
 *
 * @param body a record for JSON, a {@code byte[]} for {@code contentType}, or null
 */
record Reply(int status, Object body, String contentType, String location) {
  static Reply created(String location, Object body) {
    return new Reply(201, body, "application/json", location);
  }

  static Reply noContent() {
    return new Reply(204, null, null, null);
  }

  static Reply accepted(Object body) {
    return new Reply(202, body, "application/json", null);
  }

  static Reply status(int status, Object body) {
    return new Reply(status, body, "application/json", null);
  }

  static Reply bytes(String contentType, byte[] body) {
    return new Reply(200, body, contentType, null);
  }
}
