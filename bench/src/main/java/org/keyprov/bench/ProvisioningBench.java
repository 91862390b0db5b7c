package org.keyprov.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the provisioning benchmark lands. */
@Command(name = "provisioning", hidden = true)
final class ProvisioningBench implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }

  @Command(name = "provisioning-server", hidden = true)
  static final class Server implements Callable<Integer> {
    @Override
    public Integer call() {
      return 0;
    }
  }
}
