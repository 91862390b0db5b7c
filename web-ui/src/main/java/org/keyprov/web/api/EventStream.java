package org.keyprov.web.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's server-sent event stream, written without a thread of its own: the feed's thread
 * hands it events ({@link #offer}) and keep-alives ({@link #keepAlive}); it writes whatever is
 * waiting in one non-blocking write, and the next when that one completes. A browser that reads too
 * slowly loses events (the oldest first) rather than holding memory or the feed; one that went away
 * fails a write and the stream ends.
 */
final class EventStream {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  private static final int MAX_WAITING = 1000;
  private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

  private final Response response;
  private final Callback done;
  private final BooleanSupplier stillAllowed;
  private final Runnable onEnd;
  private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();

  /** Live events that came while the missed ones were being read; sent after them. */
  private List<EventFeed.Sent> held = new ArrayList<>();

  private long last;
  private boolean writing;
  private boolean ending;
  private boolean ended;

  /**
   * Starts the stream's answer; {@code onEnd} runs once when it ends (the feed forgets it then).
   * {@code lastEventId}: the last event the browser saw, -1 for none.
   */
  EventStream(
      Response response,
      Callback done,
      BooleanSupplier stillAllowed,
      long lastEventId,
      Runnable onEnd) {
    this.response = response;
    this.done = done;
    this.stillAllowed = stillAllowed;
    this.last = lastEventId;
    this.onEnd = onEnd;
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    synchronized (this) {
      waiting.add(": connected\n\n".getBytes(StandardCharsets.UTF_8));
      writing = true;
    }
    writeNext();
  }

  /**
   * What the browser missed (stored after its {@code Last-Event-ID}), then the live events that
   * came meanwhile: in order, none twice. A new browser ({@code Last-Event-ID} -1) only gets what
   * happens from now on.
   */
  void caughtUp(List<EventFeed.Sent> missed) {
    boolean start = false;
    synchronized (this) {
      List<EventFeed.Sent> live = held;
      held = null;
      boolean fresh = last < 0;
      for (EventFeed.Sent e : fresh ? live : concat(missed, live)) {
        if (fresh || e.id() > last) {
          start |= send(e);
        }
      }
    }
    startWriting(start);
  }

  /** An event for this browser, unless it has it already. */
  void offer(EventFeed.Sent event) {
    boolean start = false;
    synchronized (this) {
      if (held != null) {
        held.add(event);
      } else if (event.id() > last) {
        start = send(event);
      }
    }
    startWriting(start);
  }

  /** Every 15 s: ends the stream if its caller lost access, keeps it open otherwise. */
  void keepAlive() {
    if (!stillAllowed.getAsBoolean()) {
      end();
      return;
    }
    boolean start;
    synchronized (this) {
      start = queue(": keep-alive\n\n");
    }
    startWriting(start);
  }

  /** Ends the stream once what is waiting is written. */
  void end() {
    boolean start = false;
    synchronized (this) {
      if (!ending) {
        ending = true;
        start = !writing;
        writing = true;
      }
    }
    startWriting(start);
  }

  private static List<EventFeed.Sent> concat(List<EventFeed.Sent> a, List<EventFeed.Sent> b) {
    List<EventFeed.Sent> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Holding the lock; true when the caller must start writing. */
  private boolean send(EventFeed.Sent event) {
    last = event.id();
    return queue("id: " + event.id() + "\ndata: " + event.json() + "\n\n");
  }

  /** Holding the lock; true when the caller must start writing (outside the lock). */
  private boolean queue(String text) {
    if (ending) {
      return false;
    }
    if (waiting.size() == MAX_WAITING) {
      waiting.poll();
      LOG.debug("an event stream reads too slowly: its oldest waiting event dropped");
    }
    waiting.add(text.getBytes(StandardCharsets.UTF_8));
    if (writing) {
      return false;
    }
    writing = true;
    return true;
  }

  private void startWriting(boolean start) {
    if (start) {
      writeNext();
    }
  }

  /** Writes all that waits, or ends; runs again when that write completes. */
  private void writeNext() {
    ByteBuffer out;
    boolean lastWrite;
    synchronized (this) {
      if (ended) {
        return;
      }
      if (waiting.isEmpty() && !ending) {
        writing = false;
        return;
      }
      int size = waiting.stream().mapToInt(b -> b.length).sum();
      out = size == 0 ? NOTHING : ByteBuffer.allocate(size);
      for (byte[] b : waiting) {
        out.put(b);
      }
      out.flip();
      waiting.clear();
      lastWrite = ending;
    }
    if (lastWrite) {
      response.write(true, out, Callback.from(() -> finish(null), this::finish));
    } else {
      response.write(false, out, Callback.from(this::writeNext, this::finish));
    }
  }

  /** The stream ended: its answer completed, or a write failed (the browser went away). */
  private void finish(Throwable failure) {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      ending = true;
      waiting.clear();
    }
    onEnd.run();
    // a browser that went away is how event streams end: not a failure of the request
    done.succeeded();
  }
}
