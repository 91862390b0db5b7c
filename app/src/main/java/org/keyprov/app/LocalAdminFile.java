package org.keyprov.app;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.keyprov.keys.CredentialAdmin;
import org.keyprov.web.api.LocalAdmin;

/**
 * {@value #NAME} in the data directory (Java properties): where a running server's API is, the
 * SHA-256 of its HTTPS certificate and its local admin secret, readable by the directory's owner
 * only (who can read the database anyway). The server writes it once it listens and deletes it when
 * it stops; {@code keyprov admin …} finds it, checks the server still holds the directory ({@link
 * DataDirLock}) and sends its command line there instead of opening the database in a second JVM.
 */
final class LocalAdminFile {
  static final String NAME = "admin-api.properties";
  static final String SOCKET = "admin-api.sock";

  /**
   * Jackson's streaming layer only: the command lives about a second, and building an ObjectMapper
   * was a fifth of it.
   */
  private static final JsonFactory JSON = new JsonFactory();

  private final Path file;

  private LocalAdminFile(Path file) {
    this.file = file;
  }

  /** A new secret, and what runs the command lines it sends in this server, on {@code store}. */
  static LocalAdmin newAdmin(Storage store) {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    String secret = "kpl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    return new LocalAdmin(secret, (args, user) -> runInServer(store, args, user));
  }

  private static LocalAdmin.Ran runInServer(Storage store, List<String> args, String user) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> line = new ArrayList<>();
    line.add("admin");
    line.addAll(args);
    StorageOptions.IN_SERVER.set(store);
    CredentialAdmin.CLI_USER.set(user == null || user.isBlank() ? "unknown" : user);
    int code;
    try (PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err)) {
      code = Main.run(o, e, line.toArray(String[]::new));
    } finally {
      StorageOptions.IN_SERVER.remove();
      CredentialAdmin.CLI_USER.remove();
    }
    return new LocalAdmin.Ran(code, out.toString(), err.toString());
  }

  /** The admin commands' Unix socket in {@code dataDir}; empty where its path is too long. */
  static Optional<Path> socket(Path dataDir) {
    Path socket = dataDir.toAbsolutePath().resolve(SOCKET);
    // sun_path holds 108 bytes with its terminating NUL
    return socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 100
        ? Optional.of(socket)
        : Optional.empty();
  }

  /**
   * Writes the file for a server listening at {@code api} (and on the Unix socket {@code socket},
   * if not null); replaces a stale one.
   */
  static LocalAdminFile write(
      Path dataDir, URI https, Path socket, X509Certificate certificate, LocalAdmin admin)
      throws IOException {
    java.util.Properties body = new java.util.Properties();
    body.setProperty("url", https + "/api/v1/");
    if (socket != null) {
      body.setProperty("socket", socket.toString());
    }
    body.setProperty("certificateSha256", sha256(certificate));
    body.setProperty("secret", admin.secret());
    body.setProperty("pid", String.valueOf(ProcessHandle.current().pid()));
    Path file = dataDir.resolve(NAME);
    Path temp =
        Files.createTempFile(
            dataDir,
            ".admin-api",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (var out = Files.newOutputStream(temp)) {
        body.store(out, "keyprov server: where keyprov admin on this host sends its commands");
      }
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    return new LocalAdminFile(file);
  }

  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // the next server start replaces it; without the lock held nobody uses it
    }
  }

  /**
   * Runs {@code args} (an admin command line without {@code admin}) in the server holding {@code
   * dataDir}, printing what it printed; empty if no server holds it (then open the database).
   *
   * @throws CannotStartException if a server holds it but does not answer
   */
  static Optional<Integer> forward(
      Path dataDir, List<String> args, PrintWriter out, PrintWriter err) {
    Path file = dataDir.resolve(NAME);
    if (!Files.isReadable(file) || !DataDirLock.held(dataDir)) {
      return Optional.empty();
    }
    java.util.Properties where = new java.util.Properties();
    try (var in = Files.newInputStream(file)) {
      where.load(in);
    } catch (IOException e) {
      return Optional.empty(); // being replaced by a starting server: open the database
    }
    URI api = URI.create(where.getProperty("url", ""));
    String secret = where.getProperty("secret", "");
    try {
      Optional<Answer> local = viaSocket(where.getProperty("socket"), secret, request(args));
      if (local.isPresent()) {
        return Optional.of(print(local.get(), dataDir, out, err));
      }
      HttpClient http =
          HttpClient.newBuilder()
              .sslContext(pinned(where.getProperty("certificateSha256", "")))
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(api.resolve("admin/cli"))
                  .header("Authorization", "Bearer " + secret)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(request(args)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Optional.of(print(new Answer(r.statusCode(), r.body()), dataDir, out, err));
    } catch (IOException | GeneralSecurityException e) {
      throw new CannotStartException(
          "a keyprov server holds "
              + dataDir.toAbsolutePath()
              + " but its API at "
              + api
              + " did not answer ("
              + e.getMessage()
              + "); try again when it has started, or stop it",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CannotStartException("interrupted", e);
    }
  }

  /** The server's answer to a command line: its HTTP status and JSON body. */
  private record Answer(int status, String body) {}

  /** Prints what the command printed and returns its exit code. */
  private static int print(Answer a, Path dataDir, PrintWriter out, PrintWriter err)
      throws IOException {
    java.util.Map<String, String> answer = flat(a.body());
    if (a.status() != 200) {
      throw new CannotStartException(
          "the keyprov server on "
              + dataDir.toAbsolutePath()
              + " refused the command ("
              + a.status()
              + "): "
              + answer.getOrDefault("detail", ""),
          null);
    }
    out.print(answer.getOrDefault("out", ""));
    out.flush();
    err.print(answer.getOrDefault("err", ""));
    err.flush();
    return Integer.parseInt(answer.getOrDefault("exitCode", "1"));
  }

  /**
   * The command line sent over the server's Unix socket: one HTTP/1.0 request (so the answer is
   * neither chunked nor kept alive) — no TLS and no HTTP client to start, most of what a short
   * command's JVM would spend. Empty if there is no socket or it cannot be reached (then HTTPS).
   */
  private static Optional<Answer> viaSocket(String socket, String secret, byte[] body) {
    if (socket == null || socket.isEmpty() || !Files.exists(Path.of(socket))) {
      return Optional.empty();
    }
    java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
    try (java.nio.channels.SocketChannel channel =
        java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      channel.connect(java.net.UnixDomainSocketAddress.of(socket));
      byte[] head =
          ("POST /api/v1/admin/cli HTTP/1.0\r\nHost: localhost\r\nAuthorization: Bearer "
                  + secret
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.nio.ByteBuffer sent = java.nio.ByteBuffer.allocate(head.length + body.length);
      sent.put(head).put(body).flip();
      while (sent.hasRemaining()) {
        channel.write(sent);
      }
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(16 * 1024);
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        received.write(buffer.array(), 0, buffer.limit());
        buffer.clear();
      }
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
    String text = received.toString(java.nio.charset.StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    String[] status = text.substring(0, Math.max(0, text.indexOf("\r\n"))).split(" ");
    if (end < 0 || status.length < 2 || !status[0].startsWith("HTTP/")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Answer(Integer.parseInt(status[1]), text.substring(end + 4)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** {@code {"args": […], "user": …}}. */
  private static byte[] request(List<String> args) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      g.writeStringField("user", System.getProperty("user.name", ""));
      g.writeArrayFieldStart("args");
      for (String a : args) {
        g.writeString(a);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return bytes.toByteArray();
  }

  /** The top-level scalar members of a JSON object, as text. */
  private static java.util.Map<String, String> flat(String body) throws IOException {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return out;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value.isScalarValue()) {
          out.put(name, p.getText());
        } else {
          p.skipChildren();
        }
      }
    }
    return out;
  }

  static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the HTTPS certificate", e);
    }
  }

  /** TLS that trusts exactly the certificate whose SHA-256 is {@code sha256}, whatever its name. */
  private static SSLContext pinned(String sha256) throws GeneralSecurityException {
    X509ExtendedTrustManager trust =
        new X509ExtendedTrustManager() {
          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType)
              throws CertificateException {
            if (chain.length == 0 || !sha256(chain[0]).equals(sha256)) {
              throw new CertificateException("the server's certificate is not the one in " + NAME);
            }
          }

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s)
              throws CertificateException {
            checkServerTrusted(chain, authType);
          }

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e)
              throws CertificateException {
            checkServerTrusted(chain, authType);
          }

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType)
              throws CertificateException {
            throw new CertificateException("not a server");
          }

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s)
              throws CertificateException {
            throw new CertificateException("not a server");
          }

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e)
              throws CertificateException {
            throw new CertificateException("not a server");
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
    return tls;
  }
}
