package org.keyprov.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.keyprov.keys.OperatorEvents;
import org.keyprov.keys.OperatorEvents.Event;
import org.keyprov.keys.OperatorEvents.Numbered;
import org.keyprov.server.provisioning.ProvisioningListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of {@code /api/v1/events}, through the Key Manager's {@link OperatorEvents}: what this
 * node's DM server reports is queued (never blocking a provisioning thread) and stored in batches,
 * one transaction per tick; the same tick reads what every node stored since the last and fans it
 * out to the browsers subscribed here. So a browser on any node sees every node's events, and one
 * that reconnects resumes after the last id it saw ({@code Last-Event-ID}).
 */
final class EventFeed implements ProvisioningListener, AutoCloseable {
  /** An event as sent: its id in the feed and its JSON. */
  record Sent(long id, String json) {}

  private static final Logger LOG = LoggerFactory.getLogger(EventFeed.class);
  private static final long TICK_MS = 200;
  private static final long KEEP_ALIVE_S = 15;
  private static final int BATCH = 500;
  private static final int MAX_QUEUED = 10_000;
  private static final Duration KEPT = Duration.ofHours(1);

  private final OperatorEvents store;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final BlockingQueue<Event> outbox = new LinkedBlockingQueue<>(MAX_QUEUED);
  private final List<Event> unsaved = new ArrayList<>();
  private final List<EventStream> subscribers = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "keyprov-events");
            t.setDaemon(true);
            return t;
          });
  private long cursor = -1;
  private Instant lastPrune = Instant.EPOCH;
  private boolean failing;

  EventFeed(OperatorEvents store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  void start() {
    thread.scheduleWithFixedDelay(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    thread.scheduleWithFixedDelay(this::keepAlive, KEEP_ALIVE_S, KEEP_ALIVE_S, TimeUnit.SECONDS);
  }

  /**
   * Live events for {@code stream} from now on, and what it missed after its {@code lastEventId}
   * (-1: nothing); it holds no thread while it waits. A slow browser loses events rather than
   * slowing the feed.
   */
  void subscribe(EventStream stream, long lastEventId) {
    subscribers.add(stream);
    stream.caughtUp(lastEventId < 0 ? List.of() : since(lastEventId));
  }

  void unsubscribe(EventStream stream) {
    subscribers.remove(stream);
  }

  private void keepAlive() {
    for (EventStream s : subscribers) {
      try {
        s.keepAlive();
      } catch (RuntimeException e) {
        LOG.warn("event stream access not checked ({}); it ends", e.getMessage());
        s.end();
      }
    }
  }

  /** Up to 1,000 stored events after {@code id}: what a reconnecting browser missed. */
  List<Sent> since(long id) {
    return store.after(id, 1000).stream().map(this::sent).toList();
  }

  private void tick() {
    try {
      outbox.drainTo(unsaved, BATCH - unsaved.size());
      if (!unsaved.isEmpty()) {
        store.append(List.copyOf(unsaved));
        unsaved.clear();
      }
      if (cursor < 0) {
        cursor = store.latest();
      }
      List<Numbered> stored = store.after(cursor, BATCH);
      for (Numbered n : stored) {
        Sent sent = sent(n);
        for (EventStream s : subscribers) {
          s.offer(sent);
        }
        cursor = n.id();
      }
      Instant now = clock.instant();
      if (lastPrune.plus(Duration.ofMinutes(1)).isBefore(now)) {
        lastPrune = now;
        store.pruneBefore(now.minus(KEPT));
      }
      if (failing) {
        failing = false;
        LOG.info("operator events are stored and read again");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        LOG.warn(
            "operator events cannot be stored or read ({}); {} wait, browsers see them once it"
                + " works again",
            e.getMessage(),
            unsaved.size() + outbox.size());
      }
    }
  }

  private Sent sent(Numbered n) {
    Event e = n.event();
    return new Sent(
        n.id(),
        json.createObjectNode()
            .put("type", e.type())
            .put("endpoint", e.endpoint())
            .put("enabler", e.enabler())
            .put("detail", e.detail())
            .toString());
  }

  private void publish(String type, String endpoint, String enabler, String detail) {
    if (!outbox.offer(new Event(type, endpoint, enabler, detail))) {
      LOG.debug("{}: operator event dropped, {} waiting to be stored", endpoint, MAX_QUEUED);
    }
  }

  @Override
  public void provisioned(String endpoint, String nafFqdn, int keyVersion) {
    publish("provisioned", endpoint, nafFqdn, "key version " + keyVersion);
  }

  @Override
  public void failed(String endpoint, String nafFqdn, String reason) {
    publish("failed", endpoint, nafFqdn, reason);
  }

  @Override
  public void unsupported(String endpoint, String reason) {
    publish("unsupported", endpoint, "", reason);
  }

  @Override
  public void connectionReported(String endpoint, String nafFqdn, String result) {
    publish("connection", endpoint, nafFqdn, result);
  }

  @Override
  public void registered(String endpoint) {
    publish("registered", endpoint, "", "online");
  }

  @Override
  public void updated(String endpoint) {
    publish("updated", endpoint, "", "registration updated");
  }

  @Override
  public void deregistered(String endpoint, boolean expired) {
    publish("deregistered", endpoint, "", expired ? "registration expired" : "deregistered");
  }

  @Override
  public void notified(String endpoint, String path, String value) {
    // the path first: the object browser puts the value in that row
    publish("notify", endpoint, "", path + " " + value);
  }

  /** Stops the feed, ending every stream; what is still queued is stored first. */
  @Override
  public void close() {
    subscribers.forEach(EventStream::end);
    thread.shutdown();
    try {
      if (thread.awaitTermination(5, TimeUnit.SECONDS)) {
        outbox.drainTo(unsaved);
        if (!unsaved.isEmpty()) {
          store.append(List.copyOf(unsaved));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("{} operator event(s) not stored at shutdown: {}", unsaved.size(), e.getMessage());
    }
  }
}
