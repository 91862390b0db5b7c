package org.keyprov.web;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The browser UI: a few files from the class path (no CDN, nothing fetched at run time), with a
 * Content-Security-Policy that allows only this origin's scripts and styles.
 */
public final class StaticHandler extends Handler.Abstract {
  private static final Map<String, String> FILES =
      Map.of(
          "/", "index.html",
          "/ui/app.js", "app.js",
          "/ui/app.css", "app.css");
  private static final Map<String, String> TYPES =
      Map.of(
          "html",
          "text/html; charset=utf-8",
          "js",
          "text/javascript; charset=utf-8",
          "css",
          "text/css; charset=utf-8");

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String file = FILES.get(Request.getPathInContext(request));
    if (file == null || !request.getMethod().equals("GET")) {
      return false;
    }
    byte[] body;
    try (InputStream in = StaticHandler.class.getResourceAsStream("ui/" + file)) {
      body = in.readAllBytes();
    }
    response.setStatus(200);
    response
        .getHeaders()
        .put(HttpHeader.CONTENT_TYPE, TYPES.get(file.substring(file.lastIndexOf('.') + 1)));
    response
        .getHeaders()
        .put(
            "Content-Security-Policy",
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }
}
