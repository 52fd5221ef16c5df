package io.github.vmlifecycle.libvirt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a node XML for libvirt's test driver, so that each test gets an isolated hypervisor
 * ({@code test:///<absolute path>}: all {@code test:///default} connections of a JVM share state).
 */
public final class TestNode {
  /** libvirt's test-driver run states: 1 running, 3 paused, 5 shut off. */
  public enum Run { RUNNING(1), PAUSED(3), SHUTOFF(5);
    final int code;
    Run(int code) {
      this.code = code;
    }
  }

  private final List<String> domains = new ArrayList<>();

  /** Creates an empty node; add domains with {@link #domain}. */
  public TestNode() {}

  /**
   * Returns the UUID of the n-th test domain.
   *
   * @param n the number
   * @return the UUID, lower case
   */
  public static String uuid(int n) {
    return String.format(Locale.ROOT, "6695eb01-f6a4-8304-79aa-%012x", n);
  }

  /**
   * Adds a domain.
   *
   * @param name its name
   * @param n its number, giving its UUID
   * @param run its run state
   * @param managedSave whether it has a managed-save image
   * @param extraDevices device XML to add
   * @return this node
   */
  public TestNode domain(String name, int n, Run run, boolean managedSave, String extraDevices) {
    domains.add(definition(name, uuid(n), extraDevices, "<test:runstate>" + run.code + "</test:runstate>"
        + (managedSave ? "<test:hasmanagedsave>yes</test:hasmanagedsave>" : "")));
    return this;
  }

  /**
   * Adds a domain without devices or managed-save image.
   *
   * @param name its name
   * @param n its number, giving its UUID
   * @param run its run state
   * @return this node
   */
  public TestNode domain(String name, int n, Run run) {
    return domain(name, n, run, false, "");
  }

  /**
   * Returns the definition of a test-driver domain with 64 MiB and one vCPU, for
   * {@code virDomainDefineXML} on a test-driver connection.
   *
   * @param name its name
   * @param uuid its UUID
   * @param devices device XML
   * @return the domain XML
   */
  public static String definition(String name, String uuid, String devices) {
    return definition(name, uuid, devices, "");
  }

  private static String definition(String name, String uuid, String devices, String testElements) {
    return """
          <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
            <name>%s</name>
            <uuid>%s</uuid>
            <memory>65536</memory>
            <vcpu>1</vcpu>
            <os><type>hvm</type></os>
            <devices>%s</devices>
            %s
          </domain>
        """.formatted(name, uuid, devices, testElements);
  }

  /**
   * Writes the node XML.
   *
   * @param dir the directory to write {@code node.xml} in
   * @return its {@code test:///} URI
   * @throws IOException if it cannot be written
   */
  public String write(Path dir) throws IOException {
    Path file = dir.resolve("node.xml").toAbsolutePath();
    Files.writeString(file, "<node>\n" + String.join("\n", domains) + "\n</node>\n");
    return "test://" + file;
  }
}
