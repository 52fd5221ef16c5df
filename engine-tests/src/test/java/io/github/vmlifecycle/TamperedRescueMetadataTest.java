package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.spi.OperationJournal;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Someone who may edit a domain's XML but not the state store replaces the original definition embedded
 * in a rescue definition (or forges a whole rescue definition) so that unrescue, adoption or recovery
 * would define their domain. The store's copy is the only one trusted: unrescue refuses a mismatch and
 * changes nothing; an embedded original without the store's copy makes the instance ERROR.
 */
class TamperedRescueMetadataTest {
  private static final String IMAGE = "/images/rescue.qcow2";

  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final InstanceStore store = InstanceStores.inMemory();
  private LifecycleEngine engine;
  private String web;

  @BeforeEach
  void setUp() {
    fake.addImage(IMAGE);
    web = fake.createInstance("web-1");
    engine = LifecycleEngine.builder().driver(fake).store(store).clock(clock).syncOnDriverEvents(false).build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  /** The attacker's domain: the original with its disk pointed at a file of the attacker's choosing. */
  private static String evil(String original) {
    return original.replaceFirst("<source file='[^']*'", "<source file='/etc/shadow'")
        .replaceFirst("<source file=\"[^\"]*\"", "<source file=\"/etc/shadow\"");
  }

  private static String forgedRescueDefinition(String embeddedOriginal) {
    return RescueDomainXml.create().rescue(embeddedOriginal,
        RescueXmlSpec.of(RescueRequest.defaults(), "/var/lib/evil/disk.rescue", "qcow2", Optional.empty(),
            Optional.empty()));
  }

  @Test
  void unrescue_whenTheEmbeddedOriginalWasReplaced_refusesAndChangesNothing() {
    String original = fake.definition(web);
    assertThat(evil(original)).isNotEqualTo(original);
    engine.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
    String tampered = forgedRescueDefinition(evil(original));
    fake.guest(web).defineBehindBack(tampered);
    assertThat(fake.embeddedOriginalDefinition(web)).contains(evil(original));

    assertThatThrownBy(() -> engine.unrescue("web-1"))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.ORIGINAL_MISMATCH))
        .hasMessageContaining("web-1").hasMessageContaining("state store");

    assertThat(fake.definition(web)).isEqualTo(tampered);
    Instance after = engine.get("web-1");
    assertThat(after.vmState()).isEqualTo(VmState.RESCUED);
    assertThat(after.taskState()).isEmpty();
    assertThat(after.originalDefinition()).contains(original);
    assertThat(engine.actions("web-1")).last().satisfies(a -> {
      assertThat(a.action()).isEqualTo(ActionKind.UNRESCUE);
      assertThat(a.result()).isEqualTo(ActionRecord.Result.FAILED);
    });
  }

  @Test
  void unrescue_whenTheEmbeddedOriginalMatchesTheStore_restoresIt() {
    String original = fake.definition(web);
    engine.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
    assertThat(engine.unrescue("web-1").vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(fake.definition(web)).isEqualTo(original);
  }

  @Test
  void adoption_ofAForgedRescueDefinition_isErrorAndNeverDefinesTheEmbeddedOriginal() {
    String original = fake.definition(web);
    String forged = forgedRescueDefinition(evil(original));
    fake.guest(web).defineBehindBack(forged);

    Instance adopted = engine.get("web-1");

    assertThat(adopted.vmState()).isEqualTo(VmState.ERROR);
    assertThat(adopted.originalDefinition()).isEmpty();
    assertThatThrownBy(() -> engine.unrescue("web-1")).isInstanceOf(InvalidStateException.class);
    assertThat(fake.definition(web)).isEqualTo(forged);
  }

  @Test
  void failedOperation_onAnInstanceFoundRunningAForgedRescueDefinition_landsErrorNotRescued() {
    engine.get("web-1");
    String forged = forgedRescueDefinition(evil(fake.definition(web)));
    fake.guest(web).defineBehindBack(forged);
    fake.onCall(FakeCall.PAUSE).failBefore();

    assertThatThrownBy(() -> engine.pause("web-1")).isInstanceOf(HypervisorException.class);

    Instance landed = engine.get("web-1");
    assertThat(landed.vmState()).isEqualTo(VmState.ERROR);
    assertThat(landed.originalDefinition()).isEmpty();
    assertThatThrownBy(() -> engine.unrescue("web-1")).isInstanceOf(InvalidStateException.class);
    assertThat(fake.definition(web)).isEqualTo(forged);
  }

  @Test
  void repair_withAJournalNamingAFileOutsideTheRescueFiles_refusesIt() {
    engine.rescue("web-1", RescueRequest.builder().image(IMAGE).build());
    engine.unrescue("web-1");
    OperationJournal journal = OperationJournal.inMemory();
    journal.put("rescue.files", "disk.rescue,../../etc/passwd");

    assertThatThrownBy(() -> fake.repair(web, DriverCall.builder().journal(journal).build()))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CORRUPT))
        .hasMessageContaining("rescue.files").hasMessageContaining("../../etc/passwd");
    assertThat(journal.get("rescue.files")).isPresent();
  }
}
