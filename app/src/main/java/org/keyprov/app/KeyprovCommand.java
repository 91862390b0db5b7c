package org.keyprov.app;

import picocli.CommandLine.Command;

@Command(
    name = "keyprov",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Provisions Enabler security parameters to LwM2M devices and serves them to Enablers.",
    subcommands = {
      ServerCommand.class,
      EnablerCommand.class,
      DeviceCommand.class,
      DemoCommand.class,
      AdminCommand.class,
      EnablerCredentialCommand.class,
      SimCommand.class,
      GbaCommand.class
    })
final class KeyprovCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
