package io.github.vmlifecycle.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.PowerState;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class FakeInstanceSpecTest {

  private static Document parse(String xml) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  private static String xpath(Document doc, String expression) throws Exception {
    return XPathFactory.newInstance().newXPath().evaluate(expression, doc);
  }

  @Test
  void named_hasTheDefaults() {
    FakeInstanceSpec spec = FakeInstanceSpec.named("web");

    assertThat(spec.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(spec.savedMemory()).isFalse();
    assertThat(spec.memoryBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(spec.guestMemory()).isEmpty();
    assertThat(spec.effectiveUuid()).isEqualTo(FakeInstanceSpec.named("web").effectiveUuid())
        .isNotEqualTo(FakeInstanceSpec.named("db").effectiveUuid());
  }

  @Test
  void defaultDefinition_isAValidDomainWithNameUuidMemoryDiskAndSerial() throws Exception {
    FakeHypervisor fake = new FakeHypervisor();
    String id = fake.define(FakeInstanceSpec.builder().name("a&b").backingImage("/images/base.qcow2").build());

    Document doc = parse(fake.definition(id));

    assertThat(xpath(doc, "/domain/name")).isEqualTo("a&b");
    assertThat(xpath(doc, "/domain/uuid")).isEqualTo(id);
    assertThat(xpath(doc, "/domain/memory")).isEqualTo("262144");
    assertThat(xpath(doc, "/domain/memory/@unit")).isEqualTo("KiB");
    assertThat(xpath(doc, "count(/domain/devices/disk)")).isEqualTo("1");
    assertThat(xpath(doc, "/domain/devices/disk/source/@file")).isEqualTo("/var/lib/fake/a&b/disk");
    assertThat(xpath(doc, "/domain/devices/disk/target/@bus")).isEqualTo("virtio");
    assertThat(xpath(doc, "/domain/devices/disk/backingStore/source/@file")).isEqualTo("/images/base.qcow2");
    assertThat(xpath(doc, "/domain/devices/serial/@type")).isEqualTo("pty");
  }

  @Test
  void check_rejectsInvalidSpecs() {
    assertThatThrownBy(() -> FakeInstanceSpec.named(" ")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> FakeInstanceSpec.named("a/b")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> FakeInstanceSpec.builder().name("x").uuid("not-a-uuid").build())
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> FakeInstanceSpec.builder().name("x").powerState(PowerState.NOSTATE).build())
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> FakeInstanceSpec.builder().name("x").savedMemory(true).build())
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> FakeInstanceSpec.builder().name("x").memoryBytes(0).build())
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> FakeInstanceSpec.builder().name("x").definition("").build())
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> FakeInstanceSpec.builder().build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void define_duplicateUuid_isRefused() {
    FakeHypervisor fake = new FakeHypervisor();
    String id = fake.createInstance("one");

    assertThatThrownBy(() -> fake.define(FakeInstanceSpec.builder().name("two").uuid(id).build()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void define_everyInitialPowerState_isReported() {
    FakeHypervisor fake = new FakeHypervisor();
    for (PowerState state : new PowerState[] {
        PowerState.RUNNING, PowerState.PAUSED, PowerState.SHUTDOWN, PowerState.CRASHED, PowerState.SUSPENDED}) {
      String id = fake.define(FakeInstanceSpec.builder().name(state.novaName()).powerState(state).build());
      assertThat(fake.guest(id).inspect().powerState()).isEqualTo(state);
    }
  }
}
