package io.github.vmlifecycle.internal.rescue;

/** Small domain definitions for example tests, written the way libvirt writes them. */
final class Domains {
  private Domains() {}

  static String domain(String arch, String machine, String osExtra, String devices) {
    return "<domain type='kvm'>\n"
        + "  <name>t</name>\n"
        + "  <memory unit='KiB'>262144</memory>\n"
        + "  <os>\n"
        + "    <type arch='" + arch + "' machine='" + machine + "'>hvm</type>\n"
        + osExtra
        + "  </os>\n"
        + "  <devices>\n"
        + devices
        + "  </devices>\n"
        + "</domain>\n";
  }

  static String pc(String devices) {
    return domain("x86_64", "pc-i440fx-7.2", "    <boot dev='hd'/>\n", devices);
  }

  static String disk(String device, String file, String dev, String bus, String extra) {
    return "    <disk type='file' device='" + device + "'>\n"
        + "      <driver name='qemu' type='qcow2'/>\n"
        + "      <source file='" + file + "'/>\n"
        + "      <target dev='" + dev + "' bus='" + bus + "'/>\n"
        + extra
        + "    </disk>\n";
  }

  static String disk(String file, String dev, String bus) {
    return disk("disk", file, dev, bus, "");
  }

  static String drive(int controller, int bus, int unit) {
    return "      <address type='drive' controller='" + controller + "' bus='" + bus + "' target='0' unit='" + unit + "'/>\n";
  }
}
