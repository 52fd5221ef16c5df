package io.github.vmlifecycle.libvirt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.libvirt.TestNode;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** The mapping of libvirt error numbers to vmlifecycle codes. */
class LibvirtErrorsTest {

  @Test
  void classify_documentedNumbers_mapToTheirCodes() {
    Map<ErrorNumber, Code> expected = new EnumMap<>(ErrorNumber.class);
    expected.put(ErrorNumber.VIR_ERR_OPERATION_INVALID, Code.OPERATION_INVALID);
    expected.put(ErrorNumber.VIR_ERR_NO_SUPPORT, Code.UNSUPPORTED);
    expected.put(ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED, Code.UNSUPPORTED);
    expected.put(ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED, Code.UNSUPPORTED);
    expected.put(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, Code.UNSUPPORTED);
    expected.put(ErrorNumber.VIR_ERR_OPERATION_TIMEOUT, Code.TIMEOUT);
    expected.put(ErrorNumber.VIR_ERR_AGENT_UNRESPONSIVE, Code.TIMEOUT);
    expected.put(ErrorNumber.VIR_ERR_NO_CONNECT, Code.CONNECTION);
    expected.put(ErrorNumber.VIR_ERR_INVALID_CONN, Code.CONNECTION);
    expected.put(ErrorNumber.VIR_ERR_RPC, Code.CONNECTION);
    expected.put(ErrorNumber.VIR_ERR_AUTH_FAILED, Code.CONNECTION);
    expected.put(ErrorNumber.VIR_ERR_NO_SERVER, Code.CONNECTION);
    expected.put(ErrorNumber.VIR_ERR_OPERATION_FAILED, Code.OPERATION_FAILED);
    expected.put(ErrorNumber.VIR_ERR_XML_ERROR, Code.OPERATION_FAILED);
    expected.put(ErrorNumber.VIR_ERR_OPERATION_DENIED, Code.OPERATION_FAILED);
    expected.forEach((n, c) -> {
      assertThat(LibvirtErrors.classify(n, true)).as("%s", n).isEqualTo(c);
    });
  }

  @Test
  void classify_systemAndInternalErrors_areConnectionErrorsOnlyWhenTheConnectionDied() {
    for (ErrorNumber n : new ErrorNumber[] {ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorNumber.VIR_ERR_INTERNAL_ERROR}) {
      assertThat(LibvirtErrors.classify(n, false)).as("%s, dead", n).isEqualTo(Code.CONNECTION);
      assertThat(LibvirtErrors.classify(n, true)).as("%s, alive", n).isEqualTo(Code.OPERATION_FAILED);
    }
  }

  @Test
  void classify_everyNumber_hasACodeExceptNoDomain() {
    for (ErrorNumber n : ErrorNumber.values()) {
      if (n == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        assertThat(LibvirtErrors.classify(n, true)).isNull();
      } else {
        assertThat(LibvirtErrors.classify(n, true)).as("%s", n).isNotNull();
        assertThat(LibvirtErrors.classify(n, false)).as("%s", n).isNotNull();
      }
    }
  }

  @Test
  void map_realLibvirtErrors_keepTheCauseAndNameTheInstance(@TempDir Path dir) throws Exception {
    String uri = new TestNode().domain("d", 1, TestNode.Run.SHUTOFF).write(dir);
    EventLoop.ensureStarted(); // routes libvirt's own error printing to the log
    Connect c = new Connect(uri);
    try {
      LibvirtException noDomain = thrown(() -> c.domainLookupByName("missing"));
      VmLifecycleException nf = LibvirtErrors.map(noDomain, "missing", Operation.PAUSE, "pause", true);
      assertThat(nf).isInstanceOf(InstanceNotFoundException.class);
      assertThat(nf.getSuppressed()).containsExactly(noDomain);

      LibvirtException invalid = thrown(() -> c.domainLookupByName("d").destroy());
      VmLifecycleException e = LibvirtErrors.map(invalid, "d", Operation.STOP, "stop", true);
      assertThat(e).isInstanceOfSatisfying(HypervisorException.class, h -> {
        assertThat(h.code()).isEqualTo(Code.OPERATION_INVALID);
        assertThat(h.operation()).contains(Operation.STOP);
        assertThat(h.instance()).contains("d");
        assertThat(h.getCause()).isSameAs(invalid);
        assertThat(h.getMessage()).contains("instance d").contains("VIR_ERR_OPERATION_INVALID");
      });

      LibvirtException unsupported = thrown(() -> c.domainLookupByName("d").getJobInfo());
      assertThat(((HypervisorException) LibvirtErrors.map(unsupported, "d", null, "poll", true)).code())
          .isEqualTo(Code.UNSUPPORTED);
    } finally {
      c.close();
    }
  }

  interface Call {
    void run() throws LibvirtException;
  }

  private static LibvirtException thrown(Call call) {
    try {
      call.run();
    } catch (LibvirtException e) {
      return e;
    }
    throw new AssertionError("libvirt did not fail");
  }
}
