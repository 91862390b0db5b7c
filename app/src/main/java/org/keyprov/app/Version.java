package org.keyprov.app;

import picocli.CommandLine.IVersionProvider;

final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {"keyprov " + (v == null ? "(development build)" : v)};
  }
}
