package org.keyprov.client.object;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The device's received Enabler parameters on disk: a properties file readable by its owner only
 * (it holds PSK keys), replaced atomically so a crash leaves the old or the new file, never half of
 * one.
 */
public final class StateFile {
  private static final String HEADER =
      "keyprov device state: Enabler Security Parameters. Holds PSK keys; keep it private.";
  private static final int FORMAT = 1;

  private final Path path;

  /** What the file holds, as last loaded or saved. */
  private List<EnablerSecurityState> states = List.of();

  private DmAccount account;

  /** A bootstrap account a bootstrap server rewrote (a new factory credential), or null. */
  private DmAccount bootstrapAccount;

  private List<AclEntry> acls = List.of();

  public StateFile(Path path) {
    this.path = path;
  }

  /**
   * The DM server account a bootstrap server gave the device, as of the last {@link #load}; empty
   * if it has not bootstrapped (or was configured with a DM PSK instead).
   */
  public synchronized java.util.Optional<DmAccount> account() {
    return java.util.Optional.ofNullable(account);
  }

  /**
   * The bootstrap account a bootstrap server gave the device in place of its factory one (a rotated
   * factory credential), as of the last {@link #load}; empty if it kept the factory one.
   */
  public synchronized java.util.Optional<DmAccount> bootstrapAccount() {
    return java.util.Optional.ofNullable(bootstrapAccount);
  }

  /** Keeps the bootstrap account a bootstrap server rewrote. */
  public synchronized void saveBootstrapAccount(DmAccount account) {
    this.bootstrapAccount = account;
    write();
  }

  /** The Access Control instances, as of the last {@link #load}. */
  public synchronized List<AclEntry> acls() {
    return acls;
  }

  /** Keeps the Access Control instances (replacing the earlier ones). */
  public synchronized void saveAcls(List<AclEntry> acls) {
    this.acls = List.copyOf(acls);
    write();
  }

  /** Keeps the DM server account the bootstrap server gave (replacing the earlier one). */
  public synchronized void saveAccount(DmAccount account) {
    this.account = account;
    write();
  }

  public Path path() {
    return path;
  }

  /** The stored instances; empty if the file does not exist. */
  public synchronized List<EnablerSecurityState> load() {
    if (!Files.exists(path)) {
      return List.of();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read device state " + path, e);
    }
    String format = p.getProperty("format", "");
    if (!String.valueOf(FORMAT).equals(format)) {
      throw new IllegalArgumentException(
          path + ": unknown state format '" + format + "' (expected " + FORMAT + ")");
    }
    List<EnablerSecurityState> loaded = new ArrayList<>();
    String ids = p.getProperty("instances", "");
    for (String id : ids.isBlank() ? new String[0] : ids.split(",")) {
      loaded.add(parse(p, id.trim()));
    }
    account = parseAccount(p, "dm.");
    bootstrapAccount = parseAccount(p, "bs.");
    acls = parseAcls(p);
    states = List.copyOf(loaded);
    return loaded;
  }

  private List<AclEntry> parseAcls(Properties p) {
    List<AclEntry> entries = new ArrayList<>();
    String count = p.getProperty("acl.count", "0");
    try {
      for (int i = 0; i < Integer.parseInt(count); i++) {
        String k = "acl." + i + ".";
        java.util.Map<Integer, Long> rights = new java.util.TreeMap<>();
        String list = p.getProperty(k + "rights", "");
        for (String pair : list.isBlank() ? new String[0] : list.split(",")) {
          String[] sr = pair.split(":");
          rights.put(Integer.parseInt(sr[0].trim()), Long.parseLong(sr[1].trim()));
        }
        entries.add(
            new AclEntry(
                Integer.parseInt(required(p, k + "object")),
                Integer.parseInt(required(p, k + "instance")),
                rights,
                Integer.parseInt(required(p, k + "owner"))));
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          path
              + ": the Access Control entries are damaged ("
              + e.getMessage()
              + "); delete the acl.* lines and the device makes new ones",
          e);
    }
    return entries;
  }

  private DmAccount parseAccount(Properties p, String k) {
    if (p.getProperty(k + "uri") == null) {
      return null;
    }
    try {
      return new DmAccount(
          required(p, k + "uri"),
          Integer.parseInt(p.getProperty(k + "ssid", "0")),
          required(p, k + "identity"),
          HexFormat.of().parseHex(required(p, k + "key")),
          Long.parseLong(p.getProperty(k + "lifetime", "0")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          path
              + ": a server account is damaged ("
              + e.getMessage()
              + "); delete the "
              + k
              + "* lines to bootstrap again",
          e);
    }
  }

  private EnablerSecurityState parse(Properties p, String id) {
    try {
      String k = id + ".";
      EnablerSecurityState.Builder b =
          EnablerSecurityState.builder()
              .instanceId(Integer.parseInt(id))
              .enablerUri(required(p, k + "uri"))
              .nafFqdn(required(p, k + "fqdn"))
              .uaSecurityProtocolId(HexFormat.of().parseHex(p.getProperty(k + "ua", "")))
              .pskIdentity(required(p, k + "identity"))
              .pskKey(HexFormat.of().parseHex(p.getProperty(k + "key", "")))
              .keyExpiry(Instant.parse(required(p, k + "expiry")))
              .keyVersion(Integer.parseInt(p.getProperty(k + "version", "0")))
              .source(Integer.parseInt(p.getProperty(k + "source", "0")))
              .lastConnectionResult(p.getProperty(k + "result"));
      String time = p.getProperty(k + "time");
      if (time != null) {
        b.lastConnectionTime(Instant.parse(time));
      }
      TreeMap<Integer, String> allow = new TreeMap<>();
      p.stringPropertyNames().stream()
          .filter(n -> n.startsWith(k + "allow."))
          .forEach(
              n ->
                  allow.put(
                      Integer.parseInt(n.substring((k + "allow.").length())), p.getProperty(n)));
      b.allowList(new ArrayList<>(allow.values()));
      String suites = p.getProperty(k + "suites", "");
      b.cipherSuites(
          suites.isBlank()
              ? List.of()
              : Arrays.stream(suites.split(",")).map(String::trim).map(Integer::valueOf).toList());
      return b.build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          path
              + ": instance "
              + id
              + " is damaged ("
              + e.getMessage()
              + "); delete the file to start over",
          e);
    }
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("missing " + key);
    }
    return v;
  }

  /** Replaces the file with these instances (and the DM account), owner-only, atomically. */
  public synchronized void save(List<EnablerSecurityState> states) {
    this.states = List.copyOf(states);
    write();
  }

  private static void putAccount(Properties p, String k, DmAccount account) {
    if (account == null) {
      return;
    }
    p.setProperty(k + "uri", account.uri());
    p.setProperty(k + "ssid", String.valueOf(account.shortServerId()));
    p.setProperty(k + "identity", account.identity());
    byte[] key = account.key();
    p.setProperty(k + "key", HexFormat.of().formatHex(key));
    Arrays.fill(key, (byte) 0);
    p.setProperty(k + "lifetime", String.valueOf(account.lifetime()));
  }

  private void write() {
    Properties p = new Properties();
    p.setProperty("format", String.valueOf(FORMAT));
    putAccount(p, "dm.", account);
    putAccount(p, "bs.", bootstrapAccount);
    p.setProperty("acl.count", String.valueOf(acls.size()));
    for (int i = 0; i < acls.size(); i++) {
      AclEntry e = acls.get(i);
      String k = "acl." + i + ".";
      p.setProperty(k + "object", String.valueOf(e.objectId()));
      p.setProperty(k + "instance", String.valueOf(e.objectInstanceId()));
      p.setProperty(k + "owner", String.valueOf(e.owner()));
      p.setProperty(
          k + "rights",
          String.join(
              ",",
              e.rights().entrySet().stream().map(r -> r.getKey() + ":" + r.getValue()).toList()));
    }
    List<String> ids = new ArrayList<>();
    for (EnablerSecurityState s : states) {
      String k = s.instanceId() + ".";
      ids.add(String.valueOf(s.instanceId()));
      p.setProperty(k + "uri", s.enablerUri());
      p.setProperty(k + "fqdn", s.nafFqdn());
      p.setProperty(k + "ua", HexFormat.of().formatHex(s.uaSecurityProtocolId()));
      p.setProperty(k + "identity", s.pskIdentity());
      p.setProperty(k + "key", HexFormat.of().formatHex(s.pskKey()));
      p.setProperty(k + "expiry", s.keyExpiry().toString());
      p.setProperty(k + "version", String.valueOf(s.keyVersion()));
      p.setProperty(k + "source", String.valueOf(s.source()));
      s.lastConnectionResult().ifPresent(r -> p.setProperty(k + "result", r));
      s.lastConnectionTime().ifPresent(t -> p.setProperty(k + "time", t.toString()));
      for (int i = 0; i < s.allowList().size(); i++) {
        p.setProperty(k + "allow." + i, s.allowList().get(i));
      }
      p.setProperty(
          k + "suites", String.join(",", s.cipherSuites().stream().map(String::valueOf).toList()));
    }
    p.setProperty("instances", String.join(",", ids));
    StringWriter text = new StringWriter();
    try {
      p.store(text, HEADER);
      Path dir = path.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = dir.resolve(path.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(tmp);
      } catch (FileAlreadyExistsException raced) {
        // another writer in this process is serialised by synchronized; nothing else writes here
      }
      Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
      try {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write device state " + path, e);
    }
  }
}
