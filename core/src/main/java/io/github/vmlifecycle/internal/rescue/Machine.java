package io.github.vmlifecycle.internal.rescue;

import org.w3c.dom.Element;

/** What a domain's {@code <os><type arch machine>} says about the controllers it can have. */
final class Machine {
  private Machine() {}

  static String arch(Element domain) {
    return Dom.child(domain, "os").flatMap(os -> Dom.childAttr(os, "type", "arch")).orElse("");
  }

  static String machine(Element domain) {
    return Dom.child(domain, "os").flatMap(os -> Dom.childAttr(os, "type", "machine")).orElse("");
  }

  /** Whether the guest is x86, or has no architecture given (libvirt then uses the host's). */
  static boolean isX86(Element domain) {
    String arch = arch(domain);
    return arch.isEmpty() || arch.equals("x86_64") || arch.equals("i686");
  }

  /** Whether the machine has IDE: x86 and not q35. */
  static boolean hasIde(Element domain) {
    return isX86(domain) && !machine(domain).contains("q35");
  }

  static String describe(Element domain) {
    String arch = arch(domain);
    String machine = machine(domain);
    return "'" + (machine.isEmpty() ? "default" : machine) + "'" + (arch.isEmpty() ? "" : " (" + arch + ")");
  }
}
