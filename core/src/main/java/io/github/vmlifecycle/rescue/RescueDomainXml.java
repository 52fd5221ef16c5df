package io.github.vmlifecycle.rescue;

import static java.util.Objects.requireNonNull;

import io.github.vmlifecycle.internal.rescue.RescueRewriter;
import io.github.vmlifecycle.spi.HardenedXml;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The rescue rewrite of libvirt domain definitions: a pure function from an instance's domain XML and
 * a {@link RescueXmlSpec} to the rescue domain XML, and back.
 *
 * <p>The rescue definition boots from the rescue disk and still carries the instance's root disk. In
 * legacy mode the rescue disk becomes the first disk on the root disk's bus, the root disk follows and
 * only a config drive is kept besides; in stable device mode every original device keeps its place and
 * the rescue device is appended with boot order 1. The original definition is embedded verbatim in the
 * rescue definition's {@code <metadata>} (namespace {@code https://vmlifecycle.github.io/xmlns/rescue/1})
 * with the request and the time, so {@link #unrescue} gives it back exactly.
 *
 * <p>Parsing is hardened: documents with a DTD, larger than 4 MiB (12 MiB for a rescue definition),
 * nested deeper than 64 elements or not UTF-8 are refused, and nothing is read from the file system or
 * the network. Every refusal is an {@link io.github.vmlifecycle.InvalidDomainXmlException} with a {@link
 * io.github.vmlifecycle.InvalidDomainXmlException.Reason}.
 *
 * <p>Instances are thread-safe and stateless apart from their clock.
 */
public final class RescueDomainXml {
  private final Clock clock;

  private RescueDomainXml(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Returns a rewriter that records times from the system UTC clock.
   *
   * @return the rewriter
   */
  public static RescueDomainXml create() {
    return new RescueDomainXml(Clock.systemUTC());
  }

  /**
   * Returns a rewriter that records times from {@code clock}.
   *
   * @param clock the clock for the rescue time recorded in the metadata
   * @return the rewriter
   */
  public static RescueDomainXml create(Clock clock) {
    return new RescueDomainXml(clock);
  }

  /**
   * Decodes a domain definition's bytes as strict UTF-8, for callers that read it from a file or a
   * stream.
   *
   * @param domainXml the bytes
   * @return the text
   * @throws io.github.vmlifecycle.InvalidDomainXmlException with reason TOO_LARGE above 12 MiB (checked
   *     before decoding) or
   *     ENCODING if the bytes are not valid UTF-8
   */
  public static String decodeUtf8(byte[] domainXml) {
    return HardenedXml.decodeUtf8(requireNonNull(domainXml, "domainXml"), HardenedXml.MAX_RESCUE_BYTES);
  }

  /**
   * Returns the rescue domain definition for an instance's domain definition.
   *
   * @param domainXml the instance's domain XML (no XML declaration is added if it has none)
   * @param spec the rescue disk, optional kernel and ramdisk, and device mode
   * @return the rescue domain XML, embedding {@code domainXml} verbatim
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if the XML is not a readable, safe domain
   *     definition, is already
   *     a rescue definition, has no root disk, or cannot be rescued as {@code spec} asks (a volume-backed
   *     root disk in legacy mode, a bus that cannot carry the device...); see its reason
   */
  public String rescue(String domainXml, RescueXmlSpec spec) {
    return RescueRewriter.rescue(requireNonNull(domainXml, "domainXml"), requireNonNull(spec, "spec"), clock.instant());
  }

  /**
   * Returns the original definition that a rescue definition embeds.
   *
   * @param rescueXml a rescue definition made by {@link #rescue}, possibly re-serialised by libvirt
   * @return the original, exactly the string that was given to {@link #rescue}
   * @throws io.github.vmlifecycle.InvalidDomainXmlException with reason NOT_A_RESCUE_DEFINITION if it embeds
   *     no original,
   *     CORRUPT_ORIGINAL if the embedded original is damaged, or a parse reason
   */
  public String unrescue(String rescueXml) {
    return RescueRewriter.unrescue(requireNonNull(rescueXml, "rescueXml"));
  }

  /**
   * Returns whether a domain definition is a rescue definition made by this class.
   *
   * @param domainXml any domain XML
   * @return true if its metadata carries our rescue element
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if the XML is not a readable, safe domain
   *     definition
   */
  public boolean isRescueDefinition(String domainXml) {
    return RescueRewriter.isRescueDefinition(requireNonNull(domainXml, "domainXml"));
  }

  /**
   * Returns the original definition embedded in a domain definition, if it is a rescue definition.
   *
   * @param domainXml any domain XML
   * @return the original, exactly as given to {@link #rescue}, or empty
   * @throws io.github.vmlifecycle.InvalidDomainXmlException CORRUPT_ORIGINAL if the embedded original is
   *     damaged, or if the
   *     XML is not a readable, safe domain definition
   */
  public Optional<String> embeddedOriginal(String domainXml) {
    return RescueRewriter.embeddedOriginal(requireNonNull(domainXml, "domainXml"));
  }

  /**
   * Returns every {@code <disk>} of a domain definition, in document order.
   *
   * @param domainXml any domain XML
   * @return the disks, possibly empty
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if the XML is not a readable, safe domain
   *     definition
   */
  public List<DomainDisk> disks(String domainXml) {
    return RescueRewriter.disks(requireNonNull(domainXml, "domainXml"));
  }

  /**
   * Returns the disk the guest boots from: among disks of device {@code disk} or {@code lun} that are
   * not a config drive, the one with the lowest {@code <boot order>}, else the first (the one that
   * {@code <os><boot dev='hd'/>} boots).
   *
   * @param domainXml any domain XML
   * @return the root disk
   * @throws io.github.vmlifecycle.InvalidDomainXmlException NO_ROOT_DISK if there is none, or if the XML is
   *     not a readable,
   *     safe domain definition
   */
  public DomainDisk rootDisk(String domainXml) {
    return RescueRewriter.rootDisk(requireNonNull(domainXml, "domainXml"));
  }
}
