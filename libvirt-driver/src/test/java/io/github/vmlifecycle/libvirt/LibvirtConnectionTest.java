package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.libvirt.TestNode.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** Connecting, reconnecting and closing the driver, on libvirt's test driver and unreachable URIs. */
class LibvirtConnectionTest {
  @TempDir Path dir;
  private LibvirtDriver driver;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private void open() throws Exception {
    String uri = new TestNode().domain("running", 1, Run.RUNNING).domain("stopped", 2, Run.SHUTOFF).write(dir);
    driver = LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(uri).build());
  }

  @Test
  void aDeadConnection_isReopenedOnTheNextCall() throws Exception {
    open();
    Connect c = driver.connectionsForTest().currentMainForTest();
    c.close(); // the connection dies under the driver
    // the test driver reloads its node file on reconnect: the domains are back
    assertThat(driver.list()).hasSize(2);
    assertThat(driver.connectionsForTest().currentMainForTest()).isNotSameAs(c);
    driver.pause(TestNode.uuid(1), Calls.plain());
    assertThat(driver.find("running").orElseThrow().powerState()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void connect_daemonSocketMissing_isConnectionError() {
    assertThatThrownBy(() -> LibvirtDriver.connect(
            "qemu+unix:///system?socket=" + dir.resolve("no-such.sock").toAbsolutePath()))
        .isInstanceOfSatisfying(HypervisorException.class, e -> {
          assertThat(e.code()).isEqualTo(Code.CONNECTION);
          assertThat(e.getCause()).isInstanceOfSatisfying(LibvirtException.class,
              c -> assertThat(c.getError().getCode()).isEqualTo(ErrorNumber.VIR_ERR_SYSTEM_ERROR));
        });
  }

  @Test
  void connect_unknownScheme_isConnectionError() {
    assertThatThrownBy(() -> LibvirtDriver.connect("bogus:///nothing"))
        .isInstanceOfSatisfying(HypervisorException.class, e -> {
          assertThat(e.code()).isEqualTo(Code.CONNECTION);
          assertThat(e.getCause()).isInstanceOf(LibvirtException.class);
        });
  }

  @Test
  void connect_nativeLibraryMissing_isConnectionError() {
    LibvirtDriverOptions options = LibvirtDriverOptions.builder().uri("test:///default").build();
    assertThatThrownBy(() -> LibvirtDriver.connect(options, uri -> {
          throw new UnsatisfiedLinkError("Unable to load library 'virt'");
        }))
        .isInstanceOfSatisfying(HypervisorException.class, e -> {
          assertThat(e.code()).isEqualTo(Code.CONNECTION);
          assertThat(e.getMessage()).contains("libvirt0");
          assertThat(e.getCause()).isInstanceOf(UnsatisfiedLinkError.class);
        });
    assertThatThrownBy(() -> LibvirtDriver.connect(options, uri -> {
          throw new NoClassDefFoundError("com/sun/jna/Native");
        }))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.CONNECTION));
  }

  @Test
  void close_isIdempotentAndLaterCallsAreConnectionErrors() throws Exception {
    open();
    driver.close();
    driver.close();
    assertThatThrownBy(() -> driver.list())
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.CONNECTION));
  }
}
