package io.github.vmlifecycle.libvirt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The checks of where rescue files may be made. */
class RescueFilesTest {

  @Test
  void isLocalUri_onlyThisHost() {
    assertThat(RescueFiles.isLocalUri(null)).isTrue();
    assertThat(RescueFiles.isLocalUri("qemu:///system")).isTrue();
    assertThat(RescueFiles.isLocalUri("qemu+unix:///system?socket=/run/x.sock")).isTrue();
    assertThat(RescueFiles.isLocalUri("qemu+tcp://127.0.0.1/system")).isTrue();
    assertThat(RescueFiles.isLocalUri("qemu+ssh://root@localhost/system")).isTrue();
    assertThat(RescueFiles.isLocalUri("qemu+ssh://root@hv7.example/system")).isFalse();
    assertThat(RescueFiles.isLocalUri("test:///" + "tmp/node.xml")).isTrue();
  }
}
