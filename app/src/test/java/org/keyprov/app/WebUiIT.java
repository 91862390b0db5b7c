package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.web.WebServer;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The operator UI in Debian's headless Chromium, against a running server over HTTPS. */
class WebUiIT {
  private static final String PASSWORD = "a long enough password";
  private static final String DM_PSK_HEX = "00112233445566778899aabbccddeeff";

  @TempDir Path dir;
  private Harness h;
  private WebServer web;
  private WebDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void start() throws Exception {
    h = new Harness(dir);
    web = h.startWeb(0);
    h.km.operators().create("alice", PASSWORD.toCharArray(), Role.OPERATOR, "test");
    h.km.operators().create("audrey", PASSWORD.toCharArray(), Role.AUDITOR, "test");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.setAcceptInsecureCerts(true); // the server's certificate is self-signed
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--user-data-dir=" + dir.resolve("chrome"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    h.close();
  }

  private void login(String user) {
    login(user, PASSWORD);
  }

  private void login(String user, String password) {
    browser.get(web.uri() + "/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(user);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("login")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), user));
  }

  private static final java.util.Map<String, String> NAV =
      java.util.Map.of(
          "#/", "Dashboard",
          "#/devices", "Devices",
          "#/enablers", "Enablers",
          "#/import", "Import",
          "#/audit", "Audit log",
          "#/server", "Server");

  /** The text of an element, found again if the page redraws it meanwhile. */
  private String textOf(By what) {
    return wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> d.findElement(what).getText());
  }

  /** Goes to a page the way an operator does: with the navigation bar. */
  private void open(String hash) {
    String link = NAV.get(hash);
    if (link != null) {
      wait.until(ExpectedConditions.elementToBeClickable(By.linkText(link))).click();
      return;
    }
    ((org.openqa.selenium.JavascriptExecutor) browser)
        .executeScript("location.hash = arguments[0]", hash);
  }

  @Test
  void
      an_operator_creates_an_enabler_imports_a_device_and_watches_it_get_provisioned_then_revokes_it() {
    EnablerProfile running =
        h.givenEnabler("ui.enabler.test"); // a live Enabler; the UI edits its profile
    login("alice");

    open("#/enablers");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("enabler-fqdn")))
        .sendKeys("ui.enabler.test");
    browser.findElement(By.id("enabler-uri")).sendKeys(running.uri().toString());
    browser
        .findElement(By.cssSelector("#allow-list input.allow"))
        .sendKeys(running.uri().toString());
    browser.findElement(By.id("save-enabler")).click();
    // the profile exists already (the live Enabler), so wait for the save itself
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "Enabler saved"));
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("enablers"), running.uri().toString()));

    open("#/import");
    WebElement csv = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("csv")));
    csv.sendKeys(
        "endpoint,dm_psk_identity,dm_psk_hex,enablers\nui-dev-1,ui-dev-1,"
            + DM_PSK_HEX
            + ",ui.enabler.test\nbroken,,zz\n");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("import-mode")))
        .selectByValue("valid");
    browser.findElement(By.id("import")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("import-summary"), "1 device(s) imported, 1 error(s)"));
    assertThat(browser.findElement(By.id("import-report")).getText())
        .contains("line 3")
        .contains("dm_psk_hex");
    assertThat(browser.findElement(By.id("import-progress")).getAttribute("value")).isEqualTo("1");

    open("#/devices");
    By row = By.cssSelector("tr[data-endpoint='ui-dev-1'] td.states");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "pending"));
    DeviceClient device =
        h.startDevice("ui-dev-1", "ui-dev-1", java.util.HexFormat.of().parseHex(DM_PSK_HEX));
    // no reload: the page updates from the server's events
    wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "provisioned"));

    open("#/devices/ui-dev-1");
    String btid = device.enablerParameters().get(0).pskIdentity();
    // one click on the Enabler's row: no B-TID to paste
    By revoke = By.cssSelector("tr[data-enabler='ui.enabler.test'] button.revoke-key");
    wait.until(ExpectedConditions.elementToBeClickable(revoke)).click();
    // the registered device gets its next key at once, replacing the revoked one
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("assignments"), "key version 2 written"));
    assertThat(device.enablerParameters().get(0).pskIdentity()).isNotEqualTo(btid);
    // the Enabler's row says which key the device has and when it expires
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("#assignments td.key"), "version 2"));
    assertThat(textOf(By.cssSelector("#assignments td.key"))).contains("expires in");
    assertThat(h.km.audit().recent(50))
        .anySatisfy(e -> assertThat(e.action()).isEqualTo("key.revoked"));

    // and one click takes the Enabler off: its row and the device's instance go
    By unassign = By.cssSelector("tr[data-enabler='ui.enabler.test'] button.unassign");
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(ExpectedConditions.elementToBeClickable(unassign))
        .click();
    wait.until(
        ExpectedConditions.numberOfElementsToBe(
            By.cssSelector("tr[data-enabler='ui.enabler.test']"), 0));
    await().atMost(Duration.ofSeconds(20)).until(() -> device.enablerParameters().isEmpty());

    // an Enabler nobody needs any more is deleted from its page, after a confirmation
    open("#/enablers");
    By delete = By.cssSelector("tr[data-enabler='ui.enabler.test'] button.delete-enabler");
    wait.until(ExpectedConditions.elementToBeClickable(delete)).click();
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    wait.until(
        ExpectedConditions.numberOfElementsToBe(
            By.cssSelector("tr[data-enabler='ui.enabler.test']"), 0));
    assertThat(h.km.admin().enabler("ui.enabler.test")).isEmpty();
  }

  @Test
  void a_generated_dm_psk_stays_on_screen_through_the_list_redraw_until_dismissed() {
    login("alice");
    open("#/devices");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-endpoint")))
        .sendKeys("ui-new-1");
    browser.findElement(By.cssSelector("form.inline button[type=submit]")).click();

    // the list redraws with the new device; the PSK shown once must survive it
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("tr[data-endpoint='ui-new-1']")));
    // on the page, not in a hidden attribute: the operator reads it off the screen
    java.util.regex.Matcher psk =
        java.util.regex.Pattern.compile("DM PSK for ui-new-1 .*: ([0-9a-f]{32})")
            .matcher(textOf(By.id("created")));
    assertThat(psk.find()).as("the generated DM PSK is on screen after the redraw").isTrue();
    String shown = psk.group(1);
    assertThat(java.util.HexFormat.of().parseHex(shown))
        .isEqualTo(h.km.dmCredentials().byEndpoint("ui-new-1").orElseThrow().key());
    // and so must any later redraw of the page (here: a search), until the operator dismisses it
    browser.findElement(By.id("search")).sendKeys("ui-new");
    browser.findElement(By.cssSelector("form.toolbar button[type=submit]")).click();
    wait.until(ExpectedConditions.attributeToBe(By.id("search"), "value", "ui-new"));
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("tr[data-endpoint='ui-new-1']")));
    assertThat(textOf(By.id("created-psk"))).isEqualTo(shown);
    // still there 5 s after its creation, whatever redrew the page meanwhile
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(8))
        .until(() -> shown.equals(textOf(By.id("created-psk"))));

    // gone once the operator navigates away, even without saying it was saved
    open("#/");
    open("#/devices");
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("tr[data-endpoint='ui-new-1']")));
    assertThat(browser.findElements(By.id("created-psk"))).isEmpty();

    // or once they say it is saved
    browser.findElement(By.id("new-endpoint")).sendKeys("ui-new-2");
    browser.findElement(By.cssSelector("form.inline button[type=submit]")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("created-psk")));
    // a live redraw may replace the button between finding and clicking it: click the current one
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            d -> {
              d.findElement(By.id("dismiss-created")).click();
              return true;
            });
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("created-psk")));
    open("#/");
    open("#/devices");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("devices")));
    assertThat(browser.findElements(By.id("created-psk"))).isEmpty();
  }

  @Test
  void a_device_with_a_factory_bootstrap_credential_shows_its_dm_credential_and_rotates()
      throws Exception {
    h.km
        .admin()
        .addDevice(
            "ui-flashed", "ui-flashed", java.util.HexFormat.of().parseHex(DM_PSK_HEX), "test");
    login("alice");
    open("#/devices");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-endpoint")))
        .sendKeys("ui-bs-1");
    browser.findElement(By.id("new-bs-psk")).sendKeys(DM_PSK_HEX);
    browser.findElement(By.cssSelector("form.inline button[type=submit]")).click();
    wait.until(
        ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-endpoint='ui-bs-1']")));
    // nothing to show once: nobody ever needs this device's DM PSK
    assertThat(browser.findElements(By.id("created-psk"))).isEmpty();

    open("#/devices/ui-bs-1");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dm-credential"), "never"));
    assertThat(textOf(By.id("dm-credential")))
        .contains("Factory bootstrap credential", "identity ui-bs-1", "version 1")
        .doesNotContain(DM_PSK_HEX);
    browser.findElement(By.id("rotate-dm-psk")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("dm-credential"), "asked for"));
    assertThat(h.km.admin().bootstrapStatus("ui-bs-1").orElseThrow().rotationRequestedAt())
        .isNotNull();
    Screenshots.save(browser, "device-dm-credential");

    open("#/devices/ui-flashed");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("dm-credential"), "flashed"));
    assertThat(browser.findElement(By.id("rotate-dm-psk")).isEnabled()).isFalse();
    browser.findElement(By.id("bs-psk")).sendKeys(DM_PSK_HEX);
    browser.findElement(By.id("set-bs-psk")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.id("rotate-dm-psk")));
    assertThat(h.km.bootstrapCredentials().byEndpoint("ui-flashed")).isPresent();
  }

  @Test
  void the_object_browser_reads_the_device_object_writes_the_key_and_cannot_read_it_back()
      throws Exception {
    h.givenEnabler("ui.enabler.test");
    h.givenDevice("ui-browse", DM_PSK_HEX.getBytes(), "ui.enabler.test");
    h.startDevice("ui-browse", "ui-browse-dm", DM_PSK_HEX.getBytes());
    h.awaitState("ui-browse", "ui.enabler.test", ProvisioningState.PROVISIONED);
    login("alice");
    open("#/devices/ui-browse");

    wait.until(
            ExpectedConditions.elementToBeClickable(
                By.xpath("//button[contains(@class,'object-link') and text()='/3/0']")))
        .click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("object-status"), "2.05 CONTENT"));
    assertThat(textOf(By.id("object-table"))).contains("Manufacturer", "keyprov");

    // in a content format of the browser's choice, and in one that cannot carry an instance
    org.openqa.selenium.support.ui.Select format =
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("object-format")));
    assertThat(format.getOptions())
        .extracting(o -> o.getAttribute("value"))
        .contains("SENML_CBOR", "SENML_JSON", "TLV", "TEXT");
    assertThat(format.getOptions()).extracting(WebElement::getText).contains("TEXT (registered)");
    format.selectByValue("SENML_CBOR");
    browser.findElement(By.id("object-read")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("object-status"), "2.05 CONTENT · answered in SENML_CBOR"));
    assertThat(textOf(By.id("object-table"))).contains("Manufacturer", "keyprov");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("object-format")))
        .selectByValue("TEXT");
    browser.findElement(By.id("object-read")).click();
    // the device's own refusal, as it sent it (Leshan's client answers 5.00)
    wait.until(
        d -> d.findElement(By.id("object-status")).getText().matches("/3/0: [45]\\.\\d\\d .*"));
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("object-format")))
        .selectByValue("");

    // the write-only key: written, and reading it answers 4.05
    WebElement path = browser.findElement(By.id("object-path"));
    path.clear();
    path.sendKeys("/33001/0/4");
    browser.findElement(By.id("object-value")).sendKeys("000102030405060708090a0b0c0d0e0f");
    browser.findElement(By.id("object-write")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("object-status"), "2.04 CHANGED"));
    browser.findElement(By.id("object-read")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("object-status"), "4.05 METHOD_NOT_ALLOWED"));
    assertThat(textOf(By.id("objects"))).doesNotContain("000102030405060708090a0b0c0d0e0f");
    assertThat(browser.findElement(By.id("object-value")).getAttribute("value"))
        .as("the written key is not left in the field")
        .isEmpty();
    assertThat(h.km.audit().recent(20))
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("lwm2m.write");
              assertThat(e.detail()).contains("/33001/0/4").doesNotContain("000102");
            });

    // observed, the last connection result changes on screen when the device connects
    path.clear();
    path.sendKeys("/33001/0");
    browser.findElement(By.id("object-read")).click();
    By result = By.cssSelector("#object-table tr[data-path='/33001/0/10']");
    wait.until(ExpectedConditions.elementToBeClickable(result))
        .findElement(By.cssSelector("button.observe"))
        .click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("#object-table tr[data-path='/33001/0/10'] button.observe"),
            "Observing"));
    // (it fails: the key was overwritten above, which is a new value too)
    org.keyprov.client.ConnectionResult connected =
        h.deviceClient("ui-browse").connector().connect("ui.enabler.test");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.cssSelector("#object-table tr[data-path='/33001/0/10'] td.value"),
            connected.asResourceValue()));
    Screenshots.save(browser, "device-object-browser");
  }

  @Test
  void the_server_page_names_the_endpoints_and_the_certificate_enablers_pin() throws Exception {
    login("audrey");
    open("#/server");

    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("server-info"), "coaps://"));
    String page = textOf(By.id("server-info"));
    assertThat(page)
        .contains("DM server (CoAPs, DTLS-PSK)", h.dm.coapsUri().toString())
        .contains("Operator UI, REST API and Enabler lookup (HTTPS)", web.uri().toString())
        .contains("keyprov");
    String expected =
        java.util.HexFormat.ofDelimiter(":")
            .withUpperCase()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(h.https().certificate.getEncoded()));
    assertThat(textOf(By.id("certificate-sha256"))).isEqualTo(expected);
    String pem =
        (String)
            ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeAsyncScript(
                    "const done = arguments[0];"
                        + " fetch('/api/v1/server/certificate.pem').then(r => r.text()).then(done);");
    java.security.cert.X509Certificate downloaded =
        (java.security.cert.X509Certificate)
            java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new java.io.ByteArrayInputStream(
                        pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    assertThat(downloaded).isEqualTo(h.https().certificate);
    Screenshots.save(browser, "server");
  }

  @Test
  void an_all_or_nothing_import_of_a_long_file_with_one_bad_line_imports_nothing()
      throws Exception {
    // 600 devices, as Excel saves "CSV UTF-8": a byte order mark, CRLF, quoted fields
    StringBuilder csv = new StringBuilder("\uFEFFendpoint,dm_psk_identity,dm_psk_hex\r\n");
    for (int i = 0; i < 600; i++) {
      csv.append("\"bulk-").append(i).append("\",,").append(i == 549 ? "zz" : DM_PSK_HEX);
      csv.append("\r\n");
    }
    login("alice");
    chooseCsv("fleet.csv", csv);
    browser.findElement(By.id("import")).click(); // mode: all or nothing, the default

    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("import-summary"), "0 device(s) imported, 1 error(s)"));
    assertThat(browser.findElement(By.id("import-report")).getText())
        .contains("nothing was imported")
        .contains("line 551")
        .contains("dm_psk_hex");
    assertThat(h.km.admin().devices()).isEmpty();

    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("import-mode")))
        .selectByValue("valid");
    browser.findElement(By.id("import")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("import-summary"), "599 device(s) imported, 1 error(s)"));
    assertThat(h.km.admin().devices()).hasSize(599);
  }

  /** Opens the import page and chooses a file {@code name} holding {@code csv}. */
  private void chooseCsv(String name, CharSequence csv) throws java.io.IOException {
    java.nio.file.Path file = dir.resolve(name);
    java.nio.file.Files.writeString(file, csv);
    open("#/import");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("csv-file")))
        .sendKeys(file.toString());
    wait.until(d -> !d.findElement(By.id("csv")).getAttribute("value").isEmpty());
  }

  @Test
  void a_large_import_is_one_job_whose_progress_bar_moves_and_which_assigns_every_device()
      throws Exception {
    h.givenEnabler("imp.enabler.test");
    int rows = 20_000;
    StringBuilder csv = new StringBuilder("endpoint,dm_psk_identity,dm_psk_hex,enablers\n");
    for (int i = 0; i < rows; i++) {
      csv.append("big-").append(i).append(",,").append(DM_PSK_HEX).append(",imp.enabler.test\n");
    }
    login("alice");
    chooseCsv("big.csv", csv);
    // every value the bar takes, as the page sets it
    ((org.openqa.selenium.JavascriptExecutor) browser)
        .executeScript(
            "window.seen = []; const b = document.getElementById('import-progress');"
                + " new MutationObserver(() => window.seen.push([b.value, b.max]))"
                + ".observe(b, { attributes: true });");
    browser.findElement(By.id("import")).click();

    wait.withTimeout(Duration.ofSeconds(120))
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.id("import-summary"), rows + " device(s) imported, 0 error(s)"));
    @SuppressWarnings("unchecked")
    List<List<Number>> seen =
        (List<List<Number>>)
            ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return window.seen");
    assertThat(seen)
        .as("the bar stood somewhere between empty and full while the job ran")
        .anySatisfy(
            v -> {
              assertThat(v.get(1).intValue()).isEqualTo(rows);
              assertThat(v.get(0).doubleValue()).isStrictlyBetween(0.0, (double) rows);
            });
    assertThat(browser.findElement(By.id("import-status")).getText())
        .isEqualTo("done: " + rows + " rows");
    Screenshots.save(browser, "import-done");
    assertThat(h.km.admin().counts()).containsEntry("devices", (long) rows);
    assertThat(h.km.ledger().assignments(List.of("big-0", "big-19999")).values())
        .allSatisfy(a -> assertThat(a).singleElement());
  }

  @Test
  void the_dashboard_charts_registrations_and_provisioning_as_they_happen() throws Exception {
    h.givenEnabler("chart.enabler.test");
    h.givenDevice("chart-1", DM_PSK_HEX.getBytes(), "chart.enabler.test");
    login("alice");
    open("#/");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chart-registrations")));
    assertThat(live("#chart-registrations", "data-total")).isEqualTo("0");
    assertThat(browser.findElements(By.cssSelector(".chart"))).hasSize(5);

    h.startDevice("chart-1", "chart-1-dm", DM_PSK_HEX.getBytes());
    h.awaitState("chart-1", "chart.enabler.test", ProvisioningState.PROVISIONED);
    // no reload: the page redraws on the events, the charts read the running interval
    wait.until(d -> "1".equals(live("#chart-registrations", "data-total")));
    wait.until(d -> "1".equals(live("#chart-provisioned", "data-total")));
    assertThat(live("#chart-registrations svg", "aria-label"))
        .startsWith("Registrations: 1 since this node started");
    assertThat(live("#chart-registrations rect[height='72.00']", "width"))
        .as("the interval with the registration is a full-height bar")
        .isNotNull();
    Screenshots.save(browser, "dashboard-charts");
  }

  /** An attribute of the element {@code css} selects, read at once (the page redraws live). */
  private String live(String css, String attribute) {
    return (String)
        ((org.openqa.selenium.JavascriptExecutor) browser)
            .executeScript(
                "const e = document.querySelector(arguments[0]);"
                    + " return e ? e.getAttribute(arguments[1]) : null;",
                css,
                attribute);
  }

  @Test
  void a_device_whose_enabler_connection_failed_shows_failed_naming_the_enabler_and_counts_it()
      throws Exception {
    h.givenEnabler("ui.enabler.test");
    h.givenDevice("ui-failing", DM_PSK_HEX.getBytes(), "ui.enabler.test");
    java.time.Instant now = java.time.Instant.now();
    h.km
        .ledger()
        .provisioned(
            "ui-failing",
            "ui.enabler.test",
            1,
            now.plus(Duration.ofDays(1)),
            now.plus(Duration.ofHours(20)));
    h.km.ledger().connectionReported("ui-failing", "ui.enabler.test", "FAILED: handshake_failure");
    h.givenDevice("ui-waiting", DM_PSK_HEX.getBytes(), "ui.enabler.test"); // pending
    login("alice");

    open("#/devices");
    By badge = By.cssSelector("tr[data-endpoint='ui-failing'] td.states .badge");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(badge, "ui.enabler.test: failed"));
    assertThat(browser.findElement(badge).getAttribute("class")).contains("failed");
    Screenshots.save(browser, "devices-states");

    // and the list narrows to the failed ones
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("tr[data-endpoint='ui-waiting']")));
    new org.openqa.selenium.support.ui.Select(
            wait.until(ExpectedConditions.elementToBeClickable(By.id("filter-state"))))
        .selectByValue("failed");
    browser.findElement(By.id("apply-search")).click();
    wait.until(
        ExpectedConditions.numberOfElementsToBe(
            By.cssSelector("tr[data-endpoint='ui-waiting']"), 0));
    assertThat(browser.findElements(By.cssSelector("tr[data-endpoint='ui-failing']"))).hasSize(1);

    open("#/");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("count-failed"), "1"));
    assertThat(browser.findElement(By.id("count-provisioned")).getText()).isEqualTo("0");
    assertThat(browser.findElement(By.id("main")).getText())
        .contains("Assignments failed")
        .contains("the counts below are of assignments");
  }

  @Test
  void a_connection_failing_while_the_list_and_dashboard_are_open_shows_on_both_without_a_reload()
      throws Exception {
    h.givenEnabler("ui.enabler.test");
    h.givenDevice("ui-breaks", DM_PSK_HEX.getBytes(), "ui.enabler.test");
    h.startDevice("ui-breaks", "ui-breaks-dm", DM_PSK_HEX.getBytes());
    h.awaitState("ui-breaks", "ui.enabler.test", ProvisioningState.PROVISIONED);
    login("alice");
    open("#/devices");
    By badge = By.cssSelector("tr[data-endpoint='ui-breaks'] td.states .badge");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(badge, "ui.enabler.test: provisioned"));
    String list = browser.getWindowHandle();
    browser.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
    browser.get(web.uri() + "/#/");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("count-provisioned"), "1"));
    assertThat(browser.findElement(By.id("count-failed")).getText()).isEqualTo("0");
    String dashboard = browser.getWindowHandle();

    // the device's key no longer matches the Key Manager's, so its next connection fails
    h.dm
        .objects()
        .orElseThrow()
        .write("ui-breaks", "/33001/0/4", "000102030405060708090a0b0c0d0e0f", null);
    org.keyprov.client.ConnectionResult result =
        h.deviceClient("ui-breaks").connector().connect("ui.enabler.test");
    assertThat(result.asResourceValue()).startsWith("FAILED");

    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("count-failed"), "1"));
    assertThat(textOf(By.id("count-provisioned"))).isEqualTo("0");
    browser.switchTo().window(list);
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(badge, "ui.enabler.test: failed"));
    assertThat(live("tr[data-endpoint='ui-breaks'] td.states .badge", "class")).contains("failed");
    browser.switchTo().window(dashboard).close();
    browser.switchTo().window(list);
  }

  @Test
  void fields_have_names_times_read_as_dates_and_pages_fit_a_phone_and_a_laptop() throws Exception {
    h.km.admin().addDevice("ui-long", "ui-long", DM_PSK_HEX.getBytes(), "test");
    h.km.audit().record("test", "device.note", "ui-long", "x".repeat(600)); // one long detail
    org.openqa.selenium.JavascriptExecutor js = (org.openqa.selenium.JavascriptExecutor) browser;
    String unnamed =
        "return [...document.querySelectorAll('input, textarea, select')]"
            + ".filter(e => e.type !== 'hidden' && !e.getAttribute('aria-label')"
            + " && e.labels.length === 0).map(e => e.id || e.outerHTML)";
    browser.get(web.uri() + "/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    assertThat((List<?>) js.executeScript(unnamed)).as("login page").isEmpty();
    assertThat(browser.findElement(By.id("logout")).isDisplayed())
        .as("Log out on the login page")
        .isFalse();
    assertThat(browser.findElement(By.cssSelector("#nav a[href='#/devices']")).isDisplayed())
        .as("the navigation on the login page")
        .isFalse();
    Screenshots.save(browser, "login");
    login("alice");
    for (String page : List.of("#/devices", "#/enablers", "#/import", "#/audit", "#/account")) {
      open(page);
      wait.until(d -> js.executeScript("return document.querySelector('#main h1') !== null"));
      assertThat((List<?>) js.executeScript(unnamed)).as(page).isEmpty();
      Screenshots.save(browser, page.substring(2));
    }

    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1440, 900));
    open("#/audit");
    By when = By.cssSelector("#audit td.when");
    wait.until(ExpectedConditions.visibilityOfElementLocated(when));
    assertThat(browser.findElement(when).getText())
        .matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
    String overflow =
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth";
    assertThat(((Number) js.executeScript(overflow)).intValue())
        .as("audit at 1440 px")
        .isLessThanOrEqualTo(0);

    browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    open("#/devices");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("search")));
    String cut =
        "return [...document.querySelectorAll('#nav a, #nav button')]"
            + ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
            + ".map(e => e.textContent)";
    assertThat((List<?>) js.executeScript(cut)).as("navigation at 390 px").isEmpty();
    // no column squeezed to a letter a line: a phone shows the columns that say what a row is
    for (String page : List.of("#/devices", "#/enablers", "#/audit")) {
      open(page);
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#main table th")));
      String narrow =
          "return [...document.querySelectorAll('#main th')]"
              + ".filter(e => e.offsetParent !== null && e.textContent.trim()"
              + " && e.getBoundingClientRect().width < 56).map(e => e.textContent)";
      assertThat((List<?>) js.executeScript(narrow)).as(page + " at 390 px").isEmpty();
    }
  }

  @Test
  void a_device_going_online_and_offline_shows_without_a_reload() throws Exception {
    h.givenDevice("ui-live", DM_PSK_HEX.getBytes());
    login("alice");
    open("#/devices");
    By online = By.cssSelector("tr[data-endpoint='ui-live'] .badge.online");
    wait.until(
        ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-endpoint='ui-live']")));
    assertThat(browser.findElements(online)).isEmpty();

    DeviceClient device = h.startDevice("ui-live", "ui-live-dm", DM_PSK_HEX.getBytes());
    wait.until(ExpectedConditions.presenceOfElementLocated(online));

    // its page shows the registration as the Leshan demo does
    open("#/devices/ui-live");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("table#registration")));
    assertThat(browser.findElement(By.id("registration")).getText())
        .contains("Address 127.0.0.1:")
        .contains("Lifetime ")
        .contains("Binding U")
        .contains("LwM2M version 1.")
        .contains("Connection results sent by the device (LwM2M Send)")
        .contains("</33001")
        .contains("</3/0>");
    // an update shows too, without a reload: its time in "Last update"
    String before = live("#registration tr:nth-child(6) td time", "datetime");
    device.triggerRegistrationUpdate();
    wait.until(d -> !before.equals(live("#registration tr:nth-child(6) td time", "datetime")));
    device.close(); // deregisters
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("registration"), "Not registered now."));
    open("#/devices");
    wait.until(ExpectedConditions.numberOfElementsToBe(online, 0));
  }

  @Test
  void an_unknown_device_address_says_so_instead_of_showing_the_previous_device() {
    h.km.admin().addDevice("ui-known", "ui-known", DM_PSK_HEX.getBytes(), "test");
    login("alice");
    open("#/devices/ui-known");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("device-name"), "ui-known"));

    open("#/devices/ui-unknown");

    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("device-missing"), "no device ui-unknown"));
    assertThat(browser.findElements(By.id("delete-device"))).isEmpty();
    assertThat(browser.findElements(By.id("device-name"))).isEmpty();
  }

  @Test
  void a_device_name_with_markup_renders_as_text() {
    String name = "<img src=x onerror=alert(1)>";
    h.km.admin().addDevice(name, "xss-id", DM_PSK_HEX.getBytes(), "test");
    login("alice");

    open("#/devices");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("devices"), name));
    assertThat(browser.findElements(By.cssSelector("#devices img"))).isEmpty();
    browser.findElement(By.linkText(name)).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-name"), name));
    assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
    boolean alerted;
    try {
      browser.switchTo().alert();
      alerted = true;
    } catch (NoAlertPresentException expected) {
      alerted = false;
    }
    assertThat(alerted).isFalse();
  }

  @Test
  void an_auditor_cannot_press_state_changing_buttons() {
    h.km.admin().addDevice("seen-by-auditor", "seen-id", DM_PSK_HEX.getBytes(), "test");
    login("audrey");

    open("#/devices");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("devices"), "seen-by-auditor"));
    assertThat(browser.findElement(By.cssSelector("form.inline button[type=submit]")).isEnabled())
        .isFalse();
    open("#/devices/seen-by-auditor");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("revoke")));
    assertThat(browser.findElement(By.id("revoke")).isEnabled()).isFalse();
    assertThat(browser.findElement(By.id("delete-device")).isEnabled()).isFalse();
    open("#/enablers");
    assertThat(
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("save-enabler")))
                .isEnabled())
        .isFalse();
    open("#/import");
    assertThat(
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("import"))).isEnabled())
        .isFalse();
  }

  @Test
  void an_admin_resets_an_operators_password_and_changes_their_own() {
    h.km.operators().create("root", PASSWORD.toCharArray(), Role.ADMIN, "test");
    login("root");

    browser.findElement(By.id("who")).click();
    WebElement operators =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("operators")));
    operators.findElements(By.tagName("tr")).stream()
        .filter(r -> r.getText().startsWith("alice"))
        .findFirst()
        .orElseThrow()
        .findElement(By.tagName("button"))
        .click();
    String shown =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#reset-secret")))
            .getText();
    assertThat(shown).startsWith("New password for alice (shown once): ");
    String alicePassword = shown.substring(shown.lastIndexOf(' ') + 1);
    assertThat(h.km.operators().authenticate("alice", alicePassword.toCharArray())).isPresent();

    browser.findElement(By.id("current-password")).sendKeys("not the password");
    browser.findElement(By.id("new-password")).sendKeys("root's new passphrase");
    browser.findElement(By.id("change-password")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("password-error"), "the current password is wrong"));
    browser.findElement(By.id("current-password")).clear();
    browser.findElement(By.id("current-password")).sendKeys(PASSWORD);
    browser.findElement(By.id("change-password")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "Password changed"));

    browser.findElement(By.id("logout")).click();
    login("root", "root's new passphrase");
  }

  @Test
  void an_operator_issues_an_api_token_shown_once_and_revokes_it() throws Exception {
    login("alice");
    browser.findElement(By.id("who")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-name")))
        .sendKeys("nightly-export");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("token-scope")))
        .selectByValue("auditor");
    assertThat(
            browser.findElements(By.cssSelector("#token-scope option")).stream()
                .map(o -> o.getAttribute("value")))
        .as("no scope above the operator's own role")
        .containsExactly("operator", "auditor");
    browser.findElement(By.id("issue-token")).click();
    String secret =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-value"))).getText();
    assertThat(secret).startsWith("kpt_");
    assertThat(h.km.tokens().authenticate(secret))
        .hasValueSatisfying(t -> assertThat(t.role()).isEqualTo(Role.AUDITOR));
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("tokens"), "nightly-export"));
    Screenshots.save(browser, "account-tokens");

    browser.findElement(By.cssSelector("#tokens button")).click();
    browser.switchTo().alert().accept();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("tokens"), "revoked"));
    assertThat(h.km.tokens().authenticate(secret)).isEmpty();
    assertThat(browser.findElement(By.id("main")).getText())
        .as("shown once: gone after the page is drawn again")
        .doesNotContain(secret);
  }

  @Test
  void the_api_browser_renders_the_generated_contract_without_a_cdn() throws Exception {
    browser.get(web.uri() + "/api/docs/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".opblock")));
    assertThat(browser.findElement(By.tagName("body")).getText())
        .contains("keyprov operator API")
        .contains("/devices/{endpoint}");
    Screenshots.save(browser, "api-docs");
  }

  @Test
  void many_devices_are_deleted_at_once_after_a_confirmation_naming_the_count() throws Exception {
    for (String ep : List.of("bulk-1", "bulk-2", "bulk-3")) {
      h.km.admin().addDevice(ep, ep, "0123456789abcdef".getBytes(), "test");
    }
    login("alice");
    open("#/devices");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("devices"), "bulk-3"));
    assertThat(browser.findElement(By.id("bulk-delete")).isEnabled()).isFalse();
    browser.findElement(By.cssSelector("tr[data-endpoint='bulk-1'] input.pick")).click();
    browser.findElement(By.cssSelector("tr[data-endpoint='bulk-3'] input.pick")).click();
    assertThat(browser.findElement(By.id("bulk-count")).getText()).isEqualTo("2 selected");

    browser.findElement(By.id("bulk-delete")).click();
    org.openqa.selenium.Alert confirm = browser.switchTo().alert();
    assertThat(confirm.getText()).isEqualTo("Delete 2 devices?");
    confirm.accept();

    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "Delete: 2 of 2 done"));
    wait.until(
        ExpectedConditions.invisibilityOfElementLocated(
            By.cssSelector("tr[data-endpoint='bulk-1']")));
    assertThat(h.km.admin().device("bulk-1")).isEmpty();
    assertThat(h.km.admin().device("bulk-2")).isPresent();
    assertThat(h.km.admin().device("bulk-3")).isEmpty();
    assertThat(browser.findElement(By.id("bulk-count")).getText()).isEqualTo("0 selected");
  }

  @Test
  void the_device_list_sorts_by_creation_both_ways_and_by_endpoint_backwards() throws Exception {
    byte[] psk = "0123456789abcdef".getBytes();
    h.km.admin().addDevice("sort-b", "sort-b", psk, "test");
    Instant first = h.km.admin().device("sort-b").orElseThrow().createdAt();
    await().until(() -> Instant.now().isAfter(first.plusMillis(5)));
    h.km.admin().addDevice("sort-a", "sort-a", psk, "test");
    login("alice");
    open("#/devices");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("devices"), "sort-b"));
    assertThat(firstRows(2)).containsExactly("sort-a", "sort-b");

    press("sort-created");
    wait.until(d -> firstRows(2).equals(List.of("sort-b", "sort-a")));
    assertThat(browser.findElement(By.id("sort-created")).getText()).contains("▲");
    press("sort-created");
    wait.until(d -> firstRows(2).equals(List.of("sort-a", "sort-b")));
    assertThat(browser.findElement(By.cssSelector("th[aria-sort='descending']")).getText())
        .startsWith("Created");

    press("sort-endpoint");
    wait.until(d -> firstRows(2).equals(List.of("sort-a", "sort-b")));
    press("sort-endpoint");
    wait.until(d -> firstRows(2).equals(List.of("sort-b", "sort-a")));
  }

  /** Clicks the element {@code id}, found again if the page redrew it meanwhile. */
  private void press(String id) {
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            d -> {
              d.findElement(By.id(id)).click();
              return true;
            });
  }

  /** The endpoints of the device list's first rows (read at once: the list redraws live). */
  @SuppressWarnings("unchecked")
  private List<String> firstRows(int n) {
    return (List<String>)
        ((org.openqa.selenium.JavascriptExecutor) browser)
            .executeScript(
                "return [...document.querySelectorAll('#devices tbody tr')]"
                    + ".slice(0, arguments[0]).map((r) => r.dataset.endpoint)",
                n);
  }

  @Test
  void the_audit_log_pages_back_to_older_events_within_a_filter() throws Exception {
    for (int i = 0; i < 130; i++) {
      h.km.audit().record("test", "paging.test", "page-dev", "event " + i);
    }
    h.km.audit().record("test", "other.test", "other-dev", "not this one");
    login("alice");
    open("#/audit");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("f-action")))
        .sendKeys("paging.test");
    browser.findElement(By.id("apply-audit")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "event 129"));
    assertThat(textOf(By.id("audit"))).doesNotContain("not this one").doesNotContain("event 29\n");
    assertThat(browser.findElements(By.cssSelector("#audit tbody tr"))).hasSize(100);

    browser.findElement(By.id("audit-older")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "event 0"));
    assertThat(browser.findElements(By.cssSelector("#audit tbody tr"))).hasSize(30);
    assertThat(browser.findElement(By.id("audit-older")).isEnabled()).isFalse();
    browser.findElement(By.id("audit-newer")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "event 129"));
  }
}
