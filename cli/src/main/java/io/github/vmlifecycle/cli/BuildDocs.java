package io.github.vmlifecycle.cli;

import java.io.File;
import java.io.IOException;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the bash/zsh completion script (picocli's {@link AutoComplete}) and the AsciiDoc sources of
 * the man pages (picocli's {@link ManPageGenerator}) of the whole {@code vmlife} command line. Run by
 * the build (exec-maven-plugin, with picocli-codegen on its class path, which the jar does not carry).
 */
public final class BuildDocs {
  private BuildDocs() {}

  /**
   * Writes the completion script to {@code args[0]} and the man page sources into directory
   * {@code args[1]}.
   *
   * @param args the completion script's path and the man page directory
   * @throws IOException if a file cannot be written
   * @throws IllegalStateException if the man page generator reports a failure
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: BuildDocs COMPLETION_SCRIPT MAN_DIR");
    }
    CommandLine cl = Vmlife.commandLine(new Vmlife());
    File completion = new File(args[0]);
    completion.getParentFile().mkdirs();
    AutoComplete.bash("vmlife", completion, null, cl);
    File man = new File(args[1]);
    man.mkdirs();
    int rc = ManPageGenerator.generateManPage(man, null, new boolean[0], true, cl.getCommandSpec());
    if (rc != 0) {
      throw new IllegalStateException("ManPageGenerator exited " + rc);
    }
  }
}
