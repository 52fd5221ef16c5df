package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import org.junit.jupiter.api.Test;

class XmlPrescanTest {
  private static void assertReason(String xml, int maxDepth, Reason reason) {
    assertReason(xml, 1 << 20, maxDepth, reason);
  }

  private static void assertReason(String xml, int maxBytes, int maxDepth, Reason reason) {
    assertThatThrownBy(() -> XmlPrescan.check(xml, maxBytes, maxDepth))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  @Test
  void check_withDoctypeInsideACommentOrCdata_passes() {
    assertThatCode(() -> XmlPrescan.check("<!-- <!DOCTYPE x> --><d><![CDATA[<!DOCTYPE y>]]></d>", 1 << 20, 4))
        .doesNotThrowAnyException();
  }

  @Test
  void check_withDoctypeAfterACommentAndAProcessingInstruction_isRefused() {
    assertReason("<?xml version='1.0'?><!-- c --><?pi x?><!DOCTYPE d><d/>", 4, Reason.DTD_FORBIDDEN);
  }

  @Test
  void check_countsDepthIgnoringSelfClosingTagsAndQuotedBrackets() {
    String three = "<a x='>'><b y=\"/>\"><c/><c/><c></c></b></a>";

    assertThatCode(() -> XmlPrescan.check(three, 1 << 20, 3)).doesNotThrowAnyException();
    assertReason(three, 2, Reason.TOO_DEEP);
  }

  @Test
  void check_withUtf8BytesOverTheLimit_isRefused() {
    assertReason("<d>" + "\u20ac".repeat(400) + "</d>", 1000, 4, Reason.TOO_LARGE);
    assertThatCode(() -> XmlPrescan.check("<d>" + "\u20ac".repeat(300) + "</d>", 1000, 4)).doesNotThrowAnyException();
  }

  @Test
  void check_withSupplementaryCharacters_countsFourBytes() {
    String emoji = "<d>" + "\ud83d\ude00".repeat(250) + "</d>";

    assertThatCode(() -> XmlPrescan.check(emoji, 1007, 4)).doesNotThrowAnyException();
    assertThatThrownBy(() -> XmlPrescan.check(emoji, 1006, 4)).isInstanceOf(InvalidDomainXmlException.class);
  }
}
