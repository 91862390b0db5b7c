package org.keyprov.web.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The API browser at {@code /api/docs/}: Swagger UI from its webjar (no CDN), opened on {@code
 * /api/v1/openapi.json}, under the console's Content-Security-Policy (no inline script).
 */
final class ApiDocs {
  private static final String ROOT = "/api/docs/";
  private static final Map<String, String> WEBJAR_FILES =
      Map.of(
          "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
          "swagger-ui.css", "text/css; charset=utf-8");
  private final String webjar;

  ApiDocs() {
    Properties pom = new Properties();
    try (InputStream in =
        ApiDocs.class.getResourceAsStream(
            "/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      if (in != null) {
        pom.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String version = pom.getProperty("version");
    this.webjar =
        version == null ? null : "/META-INF/resources/webjars/swagger-ui/" + version + "/";
  }

  /** Answers {@code path} if it is the API browser's; false otherwise. */
  boolean handle(String path, Request request, Response response, Callback callback)
      throws IOException {
    if (!path.startsWith(ROOT) || !request.getMethod().equals("GET") || webjar == null) {
      return false;
    }
    String file = path.substring(ROOT.length());
    String type;
    String resource;
    if (file.isEmpty() || file.equals("index.html")) {
      type = "text/html; charset=utf-8";
      resource = "docs/index.html";
    } else if (file.equals("init.js")) {
      type = "text/javascript; charset=utf-8";
      resource = "docs/init.js";
    } else if (WEBJAR_FILES.containsKey(file)) {
      type = WEBJAR_FILES.get(file);
      resource = webjar + file;
    } else {
      return false;
    }
    byte[] body;
    try (InputStream in = ApiDocs.class.getResourceAsStream(resource)) {
      if (in == null) {
        return false;
      }
      body = in.readAllBytes();
    }
    response
        .getHeaders()
        .put(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
                + " frame-ancestors 'none'; base-uri 'none'");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Cache-Control", "no-cache");
    ApiHandler.answer(response, callback, type, body);
    return true;
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
