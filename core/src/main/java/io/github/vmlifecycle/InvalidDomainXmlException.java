package io.github.vmlifecycle;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a libvirt domain XML document cannot be read or cannot be rescued or unrescued: it is
 * not XML, is hostile (a DTD, external entities, too large, too deeply nested), is not a domain, or
 * does not allow the requested rescue. Nothing was read from the file system or the network.
 *
 * <p>Callers decide on {@link #reason()}, never on the message text.
 */
public class InvalidDomainXmlException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /** Why a domain XML document was refused; stable across releases. */
  public enum Reason {
    /** The text is not well-formed XML. */
    NOT_XML,
    /** The document is XML but its root element is not a libvirt {@code <domain>}. */
    NOT_A_DOMAIN,
    /** The document has a document type declaration (DTD), which could define entities. */
    DTD_FORBIDDEN,
    /** The document is larger than the size limit. */
    TOO_LARGE,
    /** The document's elements are nested deeper than the depth limit. */
    TOO_DEEP,
    /** The bytes are not valid UTF-8, or the document declares another encoding. */
    ENCODING,
    /** The domain has no disk that the guest boots from ({@code device='disk'} or {@code 'lun'}). */
    NO_ROOT_DISK,
    /** The root disk is a volume (type network or volume): only stable device mode can rescue it. */
    VOLUME_BACKED_NEEDS_STABLE,
    /** The requested rescue bus cannot carry the requested rescue device (a cdrom on virtio...). */
    BUS_CANNOT_CARRY_DEVICE,
    /** A rescue device of kind lun needs a block device ({@code /dev/...}) as rescue disk. */
    LUN_NEEDS_BLOCK_DEVICE,
    /**
     * The bus cannot be used here: its target naming is unknown (so no target can be chosen on it),
     * or the machine has no controller for it (IDE on a q35 or non-x86 machine).
     */
    UNSUPPORTED_BUS,
    /** Every drive address on the rescue device's bus is taken. */
    NO_FREE_ADDRESS,
    /** The domain is already a rescue definition made by this library. */
    ALREADY_RESCUED,
    /** Unrescue was asked for a definition that is not a rescue definition made by this library. */
    NOT_A_RESCUE_DEFINITION,
    /** The original definition embedded in a rescue definition is damaged (bad encoding or digest). */
    CORRUPT_ORIGINAL,
    /**
     * The original definition embedded in the domain's rescue definition differs from the copy in the
     * durable store: the domain's XML was changed outside vmlifecycle, so unrescue trusts neither.
     */
    ORIGINAL_MISMATCH,
    /** The document declares an XML version other than 1.0, whose text could not round-trip. */
    XML_VERSION,
    /** The definition a rescue would write could not be read back by unrescue (it would grow past a limit). */
    CANNOT_ROUND_TRIP
  }

  /** The reason. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why the document was refused
   * @param message what is wrong, for an operator
   */
  public InvalidDomainXmlException(Reason reason, String message) {
    this(reason, message, null);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param reason why the document was refused
   * @param message what is wrong, for an operator
   * @param cause the underlying parser error, or null
   */
  public InvalidDomainXmlException(Reason reason, String message, Throwable cause) {
    super(null, message, cause);
    this.reason = requireNonNull(reason, "reason");
  }

  /**
   * Returns why the document was refused.
   *
   * @return the reason, never null
   */
  public Reason reason() {
    return reason;
  }
}
