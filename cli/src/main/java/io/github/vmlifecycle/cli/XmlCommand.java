package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The {@code vmlife xml} command: rewrites libvirt domain XML for rescue ({@code xml rescue}) and back
 * ({@code xml unrescue}), reading the document on standard input and writing the result on standard
 * output.
 *
 * <p>Exit codes: 0 on success, 2 on a usage error, 6 when the document is invalid or cannot be rescued
 * as asked (the message goes to standard error and nothing to standard output). Usage errors found
 * while parsing the command line are reported by picocli on the {@code CommandLine}'s error writer.
 *
 * <p>With {@code --json} (of the enclosing {@code vmlife}), the result is printed as
 * {@code {"xml": "..."}} and errors as {@code {"error": {"type": ..., "message": ...}}} on standard error.
 *
 * <p>Usable on its own or as a subcommand of a top-level picocli command. Not thread-safe: one
 * instance serves one command line.
 */
@Command(
    name = "xml",
    mixinStandardHelpOptions = true,
    description = "Rewrite libvirt domain XML for rescue and back.",
    subcommands = {XmlCommand.Rescue.class, XmlCommand.Unrescue.class})
public final class XmlCommand implements Callable<Integer> {
  /** Exit code for success. */
  public static final int OK = 0;
  /** Exit code for a usage error. */
  public static final int USAGE = 2;
  /** Exit code for a document that is invalid or cannot be rescued as asked. */
  public static final int INVALID_INPUT = 6;

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final BooleanSupplier json;
  private static final int MAX_INPUT_BYTES = 12 * 1024 * 1024;

  private final RescueDomainXml xml = RescueDomainXml.create();

  /** Creates the command on the process's standard streams. */
  public XmlCommand() {
    this(System.in, System.out, System.err);
  }

  /**
   * Creates the command on the given streams.
   *
   * @param in where the domain XML is read
   * @param out where the result is written
   * @param err where errors are reported
   */
  public XmlCommand(InputStream in, PrintStream out, PrintStream err) {
    this(in, out, err, () -> false);
  }

  XmlCommand(InputStream in, PrintStream out, PrintStream err, BooleanSupplier json) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.json = json;
  }

  /**
   * Reports that a subcommand is needed.
   *
   * @return the usage exit code
   */
  @Override
  public Integer call() {
    err.println("vmlife xml: missing subcommand; expected 'rescue' or 'unrescue'");
    return USAGE;
  }

  private String readInput() {
    try {
      return RescueDomainXml.decodeUtf8(in.readNBytes(MAX_INPUT_BYTES + 1));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the domain XML from standard input", e);
    }
  }

  private void write(String text) {
    if (json.getAsBoolean()) {
      new Output(out, err, true).json(Map.of("xml", text));
      out.flush();
      return;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
    out.flush();
  }

  private int refused(String command, InvalidDomainXmlException e) {
    fail(command, "invalid_input", e.getMessage() + " [" + e.reason() + "]");
    return INVALID_INPUT;
  }

  private void fail(String command, String type, String message) {
    if (json.getAsBoolean()) {
      new Output(out, err, true).error(type, message);
    } else {
      err.println("vmlife xml " + command + ": " + TerminalText.safe(message));
    }
  }

  /** {@code vmlife xml rescue}: writes the rescue definition of the domain read on standard input. */
  @Command(name = "rescue", mixinStandardHelpOptions = true, description = "Write the rescue definition of a domain.")
  static final class Rescue implements Callable<Integer> {
    @ParentCommand private XmlCommand parent;

    @Option(names = "--rescue-disk", required = true, paramLabel = "PATH", description = "The rescue disk on the host.")
    private String disk;

    @Option(names = "--rescue-format", paramLabel = "FORMAT", defaultValue = "qcow2",
        description = "qcow2 (default) or raw.")
    private String format;

    @Option(names = "--stable", description = "Stable device mode (implied by --rescue-device or --rescue-bus).")
    private boolean stable;

    @Option(names = "--rescue-device", paramLabel = "DEVICE", converter = DeviceConverter.class,
        description = "disk, cdrom, floppy or lun.")
    private RescueDevice device;

    @Option(names = "--rescue-bus", paramLabel = "BUS", converter = BusConverter.class,
        description = "virtio, scsi, sata, ide, usb or fdc.")
    private RescueBus bus;

    @ArgGroup(exclusive = false)
    private Kernel kernel;

    @Override
    public Integer call() {
      RescueXmlSpec spec;
      try {
        RescueXmlSpec.Builder b =
            RescueXmlSpec.builder()
                .rescueDiskPath(disk)
                .rescueDiskFormat(format)
                .device(Optional.ofNullable(device))
                .bus(Optional.ofNullable(bus))
                .stableMode(stable || device != null || bus != null);
        if (kernel != null) {
          b.kernelPath(kernel.kernel).ramdiskPath(kernel.ramdisk);
        }
        spec = b.build();
      } catch (InvalidInputException e) {
        parent.fail("rescue", "usage", e.getMessage());
        return USAGE;
      }
      try {
        parent.write(parent.xml.rescue(parent.readInput(), spec));
        return OK;
      } catch (InvalidDomainXmlException e) {
        return parent.refused("rescue", e);
      }
    }
  }

  /** A rescue kernel and ramdisk, given together. */
  static final class Kernel {
    @Option(names = "--kernel", required = true, paramLabel = "PATH", description = "A rescue kernel.")
    String kernel;

    @Option(names = "--ramdisk", required = true, paramLabel = "PATH", description = "A rescue ramdisk.")
    String ramdisk;
  }

  /** {@code vmlife xml unrescue}: writes the original definition embedded in a rescue definition. */
  @Command(name = "unrescue", mixinStandardHelpOptions = true,
      description = "Write the original definition embedded in a rescue definition.")
  static final class Unrescue implements Callable<Integer> {
    @ParentCommand private XmlCommand parent;

    @Override
    public Integer call() {
      try {
        parent.write(parent.xml.unrescue(parent.readInput()));
        return OK;
      } catch (InvalidDomainXmlException e) {
        return parent.refused("unrescue", e);
      }
    }
  }

  /** Converts libvirt's spelling of a rescue device. */
  static final class DeviceConverter implements ITypeConverter<RescueDevice> {
    @Override
    public RescueDevice convert(String value) {
      return RescueDevice.fromXmlName(value);
    }
  }

  /** Converts libvirt's spelling of a rescue bus. */
  static final class BusConverter implements ITypeConverter<RescueBus> {
    @Override
    public RescueBus convert(String value) {
      return RescueBus.fromXmlName(value);
    }
  }
}
