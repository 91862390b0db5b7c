package org.keyprov.bench;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A bench subcommand: prints through picocli's writer, so results and the orchestrator's line
 * protocol with its child JVMs (READY, RESULT, CACHE, HEAP, DONE) go where the caller points them.
 */
abstract class BenchCommand {
  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
