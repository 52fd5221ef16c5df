package io.github.vmlifecycle.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version that {@code vmlife --version} prints: the Maven project version, written into
 * {@code version.properties} by resource filtering when the jar is built. Stateless and thread-safe.
 */
final class BuildVersion implements IVersionProvider {
  /** The resource (beside this class) that the build fills in. */
  static final String RESOURCE = "version.properties";

  @Override
  public String[] getVersion() {
    return new String[] {"vmlife " + version(), "Java ${java.version} (${java.vendor}), ${os.name} ${os.arch}"};
  }

  /**
   * Returns the project version the jar was built from.
   *
   * @return the version, such as {@code 0.1.0-SNAPSHOT}
   * @throws IllegalStateException if the build did not write the resource
   */
  static String version() {
    try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing: the build writes it");
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      if (v.isBlank() || v.contains("${")) {
        throw new IllegalStateException(RESOURCE + " was not filled in by the build: '" + v + "'");
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
