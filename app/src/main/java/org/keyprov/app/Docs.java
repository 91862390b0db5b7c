package org.keyprov.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Writes keyprov's man pages (one per command, from picocli's help) and its bash completion
 * (picocli's {@link AutoComplete}) at build time: {@code share/man/man1/} and {@code
 * share/bash-completion/completions/keyprov} under the directory given, as the release archive
 * ships them.
 */
public final class Docs {
  private Docs() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "target/share");
    String version = args.length > 1 ? args[1] : "";
    CommandLine keyprov = new CommandLine(new KeyprovCommand());
    keyprov.registerConverter(java.time.Duration.class, Durations::parse);
    Path man = Files.createDirectories(out.resolve("man/man1"));
    write(man, keyprov, "keyprov", version);
    Path completions = Files.createDirectories(out.resolve("bash-completion/completions"));
    Files.writeString(
        completions.resolve("keyprov"),
        AutoComplete.bash("keyprov", keyprov),
        StandardCharsets.UTF_8);
  }

  /** The page of {@code command} ({@code keyprov-admin-add-device.1}) and of its subcommands. */
  private static void write(Path dir, CommandLine command, String name, String version)
      throws IOException {
    Files.writeString(
        dir.resolve(name + ".1"), page(command, name, version), StandardCharsets.UTF_8);
    for (var sub : command.getSubcommands().entrySet()) {
      if (!sub.getValue().getCommandSpec().usageMessage().hidden()
          && sub.getKey().equals(sub.getValue().getCommandName())) {
        write(dir, sub.getValue(), name + "-" + sub.getKey(), version);
      }
    }
  }

  /** A man(7) page: NAME from the description's first line, the rest picocli's help as is. */
  static String page(CommandLine command, String name, String version) {
    // NAME: the description's first sentence (or clause before a colon)
    String summary =
        String.join(" ", command.getCommandSpec().usageMessage().description())
            .split("(?<=[.:])\\s", 2)[0]
            .replaceAll("[.:]$", "");
    StringBuilder troff = new StringBuilder();
    troff
        .append(".TH \"")
        .append(name.toUpperCase(java.util.Locale.ROOT))
        .append("\" \"1\" \"\" \"keyprov ")
        .append(escape(version))
        .append("\" \"keyprov manual\"\n")
        .append(".SH NAME\n")
        .append(name)
        .append(" \\- ")
        .append(escape(summary))
        .append('\n')
        .append(".SH SYNOPSIS AND OPTIONS\n.nf\n");
    for (String line : command.getUsageMessage(CommandLine.Help.Ansi.OFF).split("\n", -1)) {
      // a line starting with . or ' would be a troff request
      troff.append(line.startsWith(".") || line.startsWith("'") ? "\\&" : "").append(escape(line));
      troff.append('\n');
    }
    troff.append(".fi\n.SH SEE ALSO\nThe README of keyprov; keyprov(1).\n");
    return troff.toString();
  }

  private static String escape(String text) {
    return text.replace("\\", "\\e");
  }
}
