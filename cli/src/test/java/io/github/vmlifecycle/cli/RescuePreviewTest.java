package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RescuePreviewTest {

  @Test
  void redact_passwordsAndTheEmbeddedOriginal_areHidden() {
    String xml = "<domain><devices><graphics type='vnc' passwd='s3cret'/><graphics type=\"spice\""
        + " passwd=\"other\"/></devices><metadata><vml:rescue xmlns:vml='x'><vml:original encoding='base64'"
        + " sha256='ab'>PGRvbWFpbj4=</vml:original></vml:rescue></metadata></domain>";
    String shown = RescuePreview.redact(xml);
    assertThat(shown).doesNotContain("s3cret", "other", "PGRvbWFpbj4=")
        .contains("passwd='(hidden)'", "passwd=\"(hidden)\"", "sha256='ab'>(the original definition, base64)<");
  }
}
