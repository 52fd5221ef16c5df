package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.spi.HardenedXml;
import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The rescue rewrite and its inverse, on parsed documents. Stateless and thread-safe; the public face
 * is {@link io.github.vmlifecycle.RescueDomainXml}.
 */
public final class RescueRewriter {
  private RescueRewriter() {}

  /**
   * Returns the rescue definition for a domain definition.
   *
   * @param domainXml the original definition
   * @param spec the rescue disk, kernel and mode
   * @param now the time recorded in the rescue metadata
   * @return the rescue definition, embedding {@code domainXml} verbatim
   * @throws InvalidDomainXmlException if the definition is unreadable, hostile, already rescued, cannot
   *     be rescued as asked, or would give a rescue definition that unrescue could not read
   *     (CANNOT_ROUND_TRIP)
   */
  public static String rescue(String domainXml, RescueXmlSpec spec, Instant now) {
    Document doc = HardenedXml.parse(domainXml, HardenedXml.MAX_DOMAIN_BYTES);
    Element domain = domain(doc);
    if (RescueMetadata.find(domain).isPresent()) {
      throw new InvalidDomainXmlException(
          Reason.ALREADY_RESCUED, "The domain is already a rescue definition; unrescue it before rescuing it again");
    }
    List<Element> disks = Disks.all(domain);
    Element root = Disks.root(disks).orElseThrow(() -> noRootDisk(disks));
    Element devices = Disks.devices(domain).orElseThrow();
    Element rescue =
        spec.stableMode()
            ? StableLayout.apply(domain, devices, disks, root, spec)
            : LegacyLayout.apply(devices, disks, root, spec);
    BootOrders.bootFrom(domain, devices, rescue);
    String target = Disks.target(rescue);
    OsKernel.apply(domain, spec, target);
    RescueMetadata.embed(domain, domainXml, request(spec, rescue, now));
    String result = HardenedXml.serialise(doc, HardenedXml.hasDeclaration(domainXml),
        HardenedXml.trailingWhitespace(domainXml));
    try {
      XmlPrescan.checkSize(result, HardenedXml.MAX_RESCUE_BYTES);
    } catch (InvalidDomainXmlException e) {
      throw new InvalidDomainXmlException(Reason.CANNOT_ROUND_TRIP, "The rescue definition of this domain would be "
          + "larger than the limit of " + HardenedXml.MAX_RESCUE_BYTES + " bytes that unrescue reads (its text grows "
          + "when written out, for example quotes and line breaks inside attributes), so it is refused before "
          + "anything changes");
    }
    return result;
  }

  /**
   * Returns the original definition embedded in a rescue definition.
   *
   * @param rescueXml a rescue definition made by {@link #rescue}
   * @return the original, exactly as given to {@link #rescue}
   * @throws InvalidDomainXmlException NOT_A_RESCUE_DEFINITION if it embeds no original, CORRUPT_ORIGINAL
   *     if the embedded original is damaged, or a parse reason
   */
  public static String unrescue(String rescueXml) {
    return embeddedOriginal(rescueXml)
        .orElseThrow(
            () ->
                new InvalidDomainXmlException(
                    Reason.NOT_A_RESCUE_DEFINITION,
                    "The domain is not a rescue definition: its <metadata> has no <rescue> element of namespace "
                        + RescueMetadata.NS));
  }

  /**
   * Returns the original definition embedded in a definition, if it is a rescue definition.
   *
   * @param domainXml any domain definition
   * @return the original, or empty
   * @throws InvalidDomainXmlException CORRUPT_ORIGINAL if the embedded original is damaged, or a parse
   *     reason
   */
  public static Optional<String> embeddedOriginal(String domainXml) {
    return RescueMetadata.find(domain(HardenedXml.parse(domainXml, HardenedXml.MAX_RESCUE_BYTES)))
        .map(RescueMetadata::original);
  }

  /**
   * Returns whether a definition is a rescue definition made by {@link #rescue}.
   *
   * @param domainXml any domain definition
   * @return true if it carries our rescue metadata
   * @throws InvalidDomainXmlException for a parse reason
   */
  public static boolean isRescueDefinition(String domainXml) {
    return RescueMetadata.find(domain(HardenedXml.parse(domainXml, HardenedXml.MAX_RESCUE_BYTES))).isPresent();
  }

  /**
   * Returns every disk of a definition, in document order.
   *
   * @param domainXml any domain definition
   * @return the disks
   * @throws InvalidDomainXmlException for a parse reason
   */
  public static List<DomainDisk> disks(String domainXml) {
    Element domain = domain(HardenedXml.parse(domainXml, HardenedXml.MAX_RESCUE_BYTES));
    return Disks.all(domain).stream().map(Disks::read).collect(Collectors.toUnmodifiableList());
  }

  /**
   * Returns the disk the guest boots from.
   *
   * @param domainXml any domain definition
   * @return the root disk
   * @throws InvalidDomainXmlException NO_ROOT_DISK if it has none, or a parse reason
   */
  public static DomainDisk rootDisk(String domainXml) {
    List<Element> disks = Disks.all(domain(HardenedXml.parse(domainXml, HardenedXml.MAX_RESCUE_BYTES)));
    return Disks.read(Disks.root(disks).orElseThrow(() -> noRootDisk(disks)));
  }

  private static Element domain(Document doc) {
    Element root = doc.getDocumentElement();
    if (root == null || root.getNamespaceURI() != null || !"domain".equals(root.getLocalName())) {
      throw new InvalidDomainXmlException(
          Reason.NOT_A_DOMAIN,
          "The XML is not a libvirt domain definition: its root element is <"
              + (root == null ? "" : root.getTagName()) + ">, not <domain>");
    }
    return root;
  }

  private static InvalidDomainXmlException noRootDisk(List<Element> disks) {
    String found =
        disks.isEmpty()
            ? "it has no <disk> at all"
            : "its disks are " + disks.stream().map(d -> Disks.device(d) + " " + Disks.target(d)).collect(Collectors.joining(", "));
    return new InvalidDomainXmlException(
        Reason.NO_ROOT_DISK,
        "The domain has no root disk to rescue (a disk of device 'disk' or 'lun' that is not a config drive): "
            + found);
  }

  private static Map<String, String> request(RescueXmlSpec spec, Element rescue, Instant now) {
    Map<String, String> r = new LinkedHashMap<>();
    r.put("mode", spec.stableMode() ? "stable" : "legacy");
    r.put("device", Disks.device(rescue));
    r.put("bus", Disks.busName(rescue));
    r.put("target", Disks.target(rescue));
    r.put("disk", spec.rescueDiskPath());
    r.put("format", spec.rescueDiskFormat());
    spec.kernelPath().ifPresent(k -> r.put("kernel", k));
    spec.ramdiskPath().ifPresent(k -> r.put("ramdisk", k));
    r.put("time", now.toString());
    return r;
  }
}
