package io.github.vmlifecycle.cli;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;

/**
 * Finds which subcommand a command line names without building picocli's model of every command, so
 * that {@code vmlife} reflects only on the command it runs. Stateless and thread-safe.
 */
final class Subcommands {
  /** The options of {@code vmlife} that take a value (the next argument, unless given with '='). */
  private static final Set<String> WITH_VALUE = Set.of("-c", "--connect", "--uri", "--state-dir");

  private Subcommands() {}

  /**
   * Returns the first argument that is neither an option nor an option's value: the subcommand's name,
   * if the command line is well formed.
   *
   * @param args the command line
   * @return the candidate subcommand name, or empty when there is none
   */
  static Optional<String> named(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (WITH_VALUE.contains(a)) {
        i++;
      } else if (a.equals("--")) {
        return Optional.empty();
      } else if (!a.startsWith("-")) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the command name of a {@code @Command} method: its method name in lower case with a dash
   * before each capital ({@code resetState} is {@code reset-state}), which its annotation repeats.
   *
   * @param method a method annotated with {@link Command}
   * @return its command name
   */
  static String commandName(Method method) {
    return method.getName().replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether {@code cls} declares a {@code @Command} method whose command name is {@code name}. */
  static boolean isMethodCommand(Class<?> cls, String name) {
    return Arrays.stream(cls.getDeclaredMethods())
        .anyMatch(m -> commandName(m).equals(name) && m.isAnnotationPresent(Command.class));
  }
}
