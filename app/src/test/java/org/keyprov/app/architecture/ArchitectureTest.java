package org.keyprov.app.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keyprov.app.architecture.planted.cycle.CycleA;
import org.keyprov.app.architecture.planted.transport.UsesBouncyCastleInTransport;
import org.keyprov.client.planted.ImportsTheWebUi;
import org.keyprov.keys.zn.planted.OpensAConnection;
import org.keyprov.server.planted.UsesJetty;
import org.keyprov.server.planted.UsesScandiumOutsideTransport;

/**
 * The build enforces DESIGN.md: every rule passes on keyprov's own classes (app's test classpath
 * holds every module but bench), and each rule fails on a planted violation, so none can rot into a
 * rule that checks nothing.
 */
class ArchitectureTest {
  private static JavaClasses keyprov;

  @BeforeAll
  static void importKeyprov() {
    keyprov =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // other modules' test jars (a build of app alone takes them from the local repository)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("org.keyprov");
    assertThat(keyprov.stream().map(c -> c.getPackageName()))
        .as("every module's classes are imported")
        .contains(
            "org.keyprov.app",
            "org.keyprov.web.api",
            "org.keyprov.server",
            "org.keyprov.enabler",
            "org.keyprov.client",
            "org.keyprov.uicc",
            "org.keyprov.keys.store",
            "org.keyprov.keys",
            "org.keyprov.models");
  }

  @Test
  void module_arrows_hold() {
    Architecture.MODULE_ARROWS.check(keyprov);
  }

  @Test
  void key_manager_api_uses_no_storage_or_transport() {
    Architecture.KEY_MANAGER_API_IS_LIBRARY_FREE.check(keyprov);
  }

  @Test
  void californium_scandium_and_bouncy_castle_only_in_transport_packages() {
    Architecture.TRANSPORT_LIBRARIES_ONLY_IN_TRANSPORT.check(keyprov);
  }

  @Test
  void jetty_only_in_web_ui_and_app() {
    Architecture.JETTY_ONLY_IN_WEB.check(keyprov);
  }

  @Test
  void no_package_cycles() {
    Architecture.NO_PACKAGE_CYCLES.check(keyprov);
  }

  /**
   * Each module's listed surface beyond what other modules use: types public because another
   * package of the same module uses them (Java has no module-private), entry points for embedders
   * and the launcher, and constant holders (javac inlines their constants, so no class file shows
   * the use).
   */
  static final Map<String, String> LISTED_SURFACE =
      Map.ofEntries(
          Map.entry("org.keyprov.app.Main", "the launcher's entry point"),
          Map.entry("org.keyprov.app.Docs", "run at build time for man pages and completion"),
          Map.entry(
              "org.keyprov.app.transport.SelfSignedCertificate", "used by app's HttpsIdentity"),
          Map.entry("org.keyprov.client.object.AllowList", "used by DeviceClient"),
          Map.entry("org.keyprov.client.object.DmAccount", "used by DeviceClient"),
          Map.entry("org.keyprov.client.object.AccessControl", "used by DeviceClient"),
          Map.entry("org.keyprov.client.object.AclEntry", "AccessControl's entries"),
          Map.entry("org.keyprov.client.object.GuardedObjects", "used by DeviceClient"),
          Map.entry("org.keyprov.client.object.EnablerSecurityInstances", "used by DeviceClient"),
          Map.entry("org.keyprov.client.object.StateFile", "used by DeviceClient"),
          Map.entry("org.keyprov.client.transport.DtlsPskChannel", "used by EnablerConnector"),
          Map.entry("org.keyprov.client.transport.TlsPskChannel", "used by EnablerConnector"),
          Map.entry("org.keyprov.client.transport.SharedDatagramTransport", "used by ClientHost"),
          Map.entry("org.keyprov.enabler.lookup.HandshakeListener", "Enabler.Builder's listener"),
          Map.entry("org.keyprov.enabler.lookup.KeyCache", "used by Enabler"),
          Map.entry("org.keyprov.enabler.lookup.KeyResolver", "used by the transports"),
          Map.entry("org.keyprov.enabler.lookup.PromptLookup", "used by the transports"),
          Map.entry("org.keyprov.enabler.lookup.Resolution", "used by the transports"),
          Map.entry("org.keyprov.enabler.lookup.StaticPskTable", "Enabler.Builder's static keys"),
          Map.entry("org.keyprov.enabler.transport.CoapsEndpoint", "used by Enabler"),
          Map.entry("org.keyprov.enabler.transport.TlsPskEndpoint", "used by Enabler"),
          Map.entry("org.keyprov.models.EnablerSecurityObject", "resource ids (constants)"),
          Map.entry("org.keyprov.server.provisioning.Backoff", "DmServer.Builder's backoff"),
          Map.entry("org.keyprov.server.provisioning.Provisioner", "used by DmServer"),
          Map.entry(
              "org.keyprov.server.provisioning.EnablerInstances", "used by the bootstrap server"),
          Map.entry("org.keyprov.server.security.KeyManagerAuthorizer", "used by DmServer"),
          Map.entry("org.keyprov.server.security.KeyManagerSecurityStore", "used by DmServer"),
          Map.entry("org.keyprov.server.security.Printable", "used by the bootstrap server too"),
          Map.entry("org.keyprov.server.transport.BootstrapEndpoints", "used by BootstrapServer"),
          Map.entry("org.keyprov.server.transport.CoapAnswers", "used by the object browser"),
          Map.entry("org.keyprov.server.transport.DmEndpoints", "used by DmServer"),
          Map.entry("org.keyprov.server.transport.DtlsSessionFile", "used by DmServer"),
          Map.entry("org.keyprov.server.transport.DtlsMeters", "used by DmServer"),
          Map.entry(
              "org.keyprov.server.cluster.RequestRelay",
              "used by DmServer for devices served by another node"),
          Map.entry("org.keyprov.uicc.SimFiles", "file ids (constants), used by device-client"),
          Map.entry("org.keyprov.uicc.Uicc", "APDU constants, shared with the applet"),
          Map.entry("org.keyprov.uicc.applet.GbaApplet", "the card installs it by reflection"),
          Map.entry("org.keyprov.web.zn.ZnHandler", "used by WebServer"));

  @Test
  void public_only_what_another_module_uses_or_the_listed_surface() {
    Architecture.publicOnlyWhatAnotherModuleUses(LISTED_SURFACE.keySet()).check(keyprov);
    assertThat(LISTED_SURFACE.keySet())
        .as("every listed type exists and is public")
        .allSatisfy(
            name ->
                assertThat(keyprov.get(name).getModifiers())
                    .contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC));
  }

  @Test
  void each_rule_fails_on_a_planted_violation() {
    assertFails(Architecture.MODULE_ARROWS, ImportsTheWebUi.class);
    assertFails(Architecture.KEY_MANAGER_API_IS_LIBRARY_FREE, OpensAConnection.class);
    assertFails(
        Architecture.TRANSPORT_LIBRARIES_ONLY_IN_TRANSPORT, UsesScandiumOutsideTransport.class);
    assertFails(Architecture.JETTY_ONLY_IN_WEB, UsesJetty.class);
    assertFails(Architecture.NO_PACKAGE_CYCLES, CycleA.class);
    assertFails(Architecture.publicOnlyWhatAnotherModuleUses(Set.of()), CycleA.class);
    // and the transport rule allows what it should
    assertThat(
            Architecture.TRANSPORT_LIBRARIES_ONLY_IN_TRANSPORT
                .evaluate(
                    new ClassFileImporter()
                        .importClasses(UsesBouncyCastleInTransport.class, CycleA.class))
                .hasViolation())
        .isFalse();
  }

  private static void assertFails(ArchRule rule, Class<?> planted) {
    JavaClasses classes =
        new ClassFileImporter().importPackagesOf(planted, org.keyprov.web.api.ApiHandler.class);
    assertThat(rule.evaluate(classes).hasViolation())
        .as("%s fails on %s", rule.getDescription(), planted.getSimpleName())
        .isTrue();
  }
}
