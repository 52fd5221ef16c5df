package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class VirtXmlValidateTest {
  @Test
  void requireTool_missingUnderCi_failsTheTest() {
    assertThatThrownBy(() -> VirtXmlValidate.requireTool(Optional.empty(), "true"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("required when CI=true");
  }

  @Test
  void requireTool_missingOutsideCi_skipsTheTest() {
    assertThatThrownBy(() -> VirtXmlValidate.requireTool(Optional.empty(), null))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void requireTool_present_returnsIt() {
    assertThat(VirtXmlValidate.requireTool(Optional.of(Path.of("/usr/bin/virt-xml-validate")), "true"))
        .isEqualTo(Path.of("/usr/bin/virt-xml-validate"));
  }
}
