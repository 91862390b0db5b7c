package org.keyprov.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/** DESIGN.md's module arrows and library rules, as ArchUnit rules over every keyprov class. */
final class Architecture {
  private Architecture() {}

  /** An arrow means "may import"; a module no arrow points at may not be imported. */
  static final ArchRule MODULE_ARROWS =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("app")
          .definedBy("org.keyprov.app..")
          .layer("web-ui")
          .definedBy("org.keyprov.web..")
          .layer("dm-server")
          .definedBy("org.keyprov.server..")
          .layer("enabler")
          .definedBy("org.keyprov.enabler..")
          .layer("device-client")
          .definedBy("org.keyprov.client..")
          .layer("uicc")
          .definedBy("org.keyprov.uicc..")
          .layer("key-manager-jdbc")
          .definedBy("org.keyprov.keys.store..")
          .layer("key-manager")
          .definedBy("org.keyprov.keys", "org.keyprov.keys.gba..", "org.keyprov.keys.zn..")
          .layer("object-models")
          .definedBy("org.keyprov.models..")
          .whereLayer("app")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("web-ui")
          .mayOnlyBeAccessedByLayers("app")
          .whereLayer("dm-server")
          .mayOnlyBeAccessedByLayers("web-ui", "app")
          .whereLayer("enabler")
          .mayOnlyBeAccessedByLayers("app")
          .whereLayer("device-client")
          .mayOnlyBeAccessedByLayers("app")
          .whereLayer("uicc")
          .mayOnlyBeAccessedByLayers("device-client", "app")
          .whereLayer("key-manager-jdbc")
          .mayOnlyBeAccessedByLayers("app")
          .whereLayer("key-manager")
          .mayOnlyBeAccessedByLayers(
              "app", "web-ui", "dm-server", "enabler", "device-client", "uicc", "key-manager-jdbc")
          .whereLayer("object-models")
          .mayOnlyBeAccessedByLayers("dm-server", "device-client", "app");

  /** The Key Manager API holds no storage and no transport. */
  static final ArchRule KEY_MANAGER_API_IS_LIBRARY_FREE =
      noClasses()
          .that()
          .resideInAnyPackage("org.keyprov.keys", "org.keyprov.keys.gba..", "org.keyprov.keys.zn..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "java.sql..",
              "javax.sql..",
              "com.zaxxer..",
              "org.flywaydb..",
              "org.h2..",
              "org.eclipse.leshan..",
              "org.eclipse.californium..",
              "org.eclipse.jetty..",
              "org.bouncycastle..")
          .as("the key-manager API uses no storage, Leshan, Californium, Jetty or Bouncy Castle");

  /** Californium, Scandium and Bouncy Castle are transports' business. */
  static final ArchRule TRANSPORT_LIBRARIES_ONLY_IN_TRANSPORT =
      noClasses()
          .that()
          .resideOutsideOfPackage("..transport..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.eclipse.californium..", "org.bouncycastle..")
          .as("Californium, Scandium and Bouncy Castle are only used in ...transport packages");

  /** Jetty is the web UI's (and app's, which starts it). */
  static final ArchRule JETTY_ONLY_IN_WEB =
      noClasses()
          .that()
          .resideOutsideOfPackages("org.keyprov.web..", "org.keyprov.app..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.eclipse.jetty..")
          .as("Jetty is only used by web-ui and app");

  /** Every package can be read without the ones that use it. */
  static final ArchRule NO_PACKAGE_CYCLES =
      slices().matching("org.keyprov.(**)").should().beFreeOfCycles();

  /**
   * A public top-level type is used from another module: everything else is package-private (a
   * module's surface is what its neighbours use, plus the entry points listed in {@code API}).
   */
  static ArchRule publicOnlyWhatAnotherModuleUses(java.util.Set<String> api) {
    return classes()
        .that()
        .arePublic()
        .and()
        .areTopLevelClasses()
        .should(
            new ArchCondition<JavaClass>("be used from another module or be listed as API") {
              @Override
              public void check(JavaClass type, ConditionEvents events) {
                String module = module(type.getPackageName());
                boolean used =
                    type.getDirectDependenciesToSelf().stream()
                        .map(d -> d.getOriginClass().getPackageName())
                        .anyMatch(p -> !module(p).equals(module));
                if (!used && !api.contains(type.getName())) {
                  events.add(
                      SimpleConditionEvent.violated(
                          type,
                          type.getName()
                              + " is public but no other module uses it: make it package-private"));
                }
              }
            });
  }

  /** The keyprov module a package belongs to (DESIGN.md's module map). */
  static String module(String pkg) {
    if (pkg.startsWith("org.keyprov.keys.store")) {
      return "key-manager-jdbc";
    }
    if (pkg.startsWith("org.keyprov.keys")) {
      return "key-manager";
    }
    String[] parts = pkg.split("\\.");
    return parts.length > 2 ? parts[2] : pkg;
  }
}
