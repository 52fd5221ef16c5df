package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input at every public entry of {@link LifecycleEngine}, over the fake and the durable store:
 * unknown and hostile instance references, and rescue paths that are missing, a directory or the
 * instance's own disk. Each is a typed error and changes nothing: the store's files are byte-identical,
 * no lifecycle call reaches the hypervisor, no event is emitted, and no file appears outside the store.
 */
class HostileInputEngineTest {
  private static final String IMAGE = "/images/rescue.qcow2";

  @TempDir Path root;
  private Path stateDir;
  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final List<LifecycleEvent> events = new ArrayList<>();
  private LifecycleEngine engine;
  private String web;

  /** A hostile or unknown instance reference and the error it must give. */
  record Ref(String label, String ref, Class<? extends VmLifecycleException> error, VmLifecycleException.Kind kind) {
    @Override
    public String toString() {
      return label;
    }
  }

  /** A public engine entry that takes an instance reference. */
  record Entry(String label, BiFunction<LifecycleEngine, String, Object> call) {
    @Override
    public String toString() {
      return label;
    }
  }

  static List<Ref> refs() {
    VmLifecycleException.Kind invalid = VmLifecycleException.Kind.INVALID_INPUT;
    VmLifecycleException.Kind notFound = VmLifecycleException.Kind.NOT_FOUND;
    return List.of(
        new Ref("unknown name", "nope", InstanceNotFoundException.class, notFound),
        new Ref("unknown UUID", "00000000-0000-4000-8000-000000000000", InstanceNotFoundException.class, notFound),
        new Ref("unknown upper-case UUID", "ABCDEF00-0000-4000-8000-000000000000", InstanceNotFoundException.class,
            notFound),
        new Ref("a store file's name", "web-1.instance", InstanceNotFoundException.class, notFound),
        new Ref("parent path", "../etc/passwd", InvalidInputException.class, invalid),
        new Ref("parent of a known name", "../web-1", InvalidInputException.class, invalid),
        new Ref("slash", "a/b", InvalidInputException.class, invalid),
        new Ref("absolute path", "/etc/passwd", InvalidInputException.class, invalid),
        new Ref("backslash", "a\\b", InvalidInputException.class, invalid),
        new Ref("dot", ".", InvalidInputException.class, invalid),
        new Ref("dot dot", "..", InvalidInputException.class, invalid),
        new Ref("NUL", "web-1\0", InvalidInputException.class, invalid),
        new Ref("newline", "web-1\nweb-2", InvalidInputException.class, invalid),
        new Ref("empty", "", InvalidInputException.class, invalid),
        new Ref("blank", "  ", InvalidInputException.class, invalid),
        new Ref("null", null, InvalidInputException.class, invalid),
        new Ref("very long", "w".repeat(100_000), InvalidInputException.class, invalid));
  }

  static List<Entry> entries() {
    RescueRequest rescue = RescueRequest.builder().image(IMAGE).build();
    return List.of(
        new Entry("get", LifecycleEngine::get),
        new Entry("actions", LifecycleEngine::actions),
        new Entry("execute", (e, r) -> e.execute(r, Operation.PAUSE, OperationOptions.defaults())),
        new Entry("execute rescue", (e, r) -> e.execute(r, Operation.RESCUE,
            OperationOptions.builder().rescueRequest(rescue).build())),
        new Entry("submit", (e, r) -> e.submit(r, Operation.STOP, OperationOptions.defaults())),
        new Entry("pause", LifecycleEngine::pause),
        new Entry("unpause", LifecycleEngine::unpause),
        new Entry("suspend", LifecycleEngine::suspend),
        new Entry("suspend with progress", (e, r) -> e.suspend(r, ProgressListener.NONE)),
        new Entry("resume", LifecycleEngine::resume),
        new Entry("resume with progress", (e, r) -> e.resume(r, ProgressListener.NONE)),
        new Entry("rescue", (e, r) -> e.rescue(r, rescue)),
        new Entry("unrescue", LifecycleEngine::unrescue),
        new Entry("stop", LifecycleEngine::stop),
        new Entry("stop with timeout", (e, r) -> e.stop(r, Duration.ZERO)),
        new Entry("start", LifecycleEngine::start),
        new Entry("hardReboot", LifecycleEngine::hardReboot),
        new Entry("lock", LifecycleEngine::lock),
        new Entry("unlock", LifecycleEngine::unlock),
        new Entry("resetState", (e, r) -> e.resetState(r, VmState.ACTIVE)),
        new Entry("syncPowerState", LifecycleEngine::syncPowerState));
  }

  static Stream<Arguments> entriesAndRefs() {
    return entries().stream().flatMap(e -> refs().stream().map(r -> Arguments.of(e, r)));
  }

  @BeforeEach
  void setUp() {
    stateDir = root.resolve("state");
    fake.addImage(IMAGE);
    web = fake.createInstance("web-1");
    fake.createInstance("web-2");
    engine = LifecycleEngine.builder().driver(fake).store(InstanceStores.directory(stateDir)).clock(clock)
        .executor(Runnable::run).syncOnDriverEvents(false).listener(events::add).build();
    engine.list();
    engine.lock("web-1");
    engine.unlock("web-1");
    events.clear();
    fake.clearCalls();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("entriesAndRefs")
  void everyEntry_hostileOrUnknownRef_isATypedErrorAndChangesNothing(Entry entry, Ref ref) throws Exception {
    Map<String, byte[]> before = snapshot(root);

    Throwable thrown = catchThrowable(() -> entry.call().apply(engine, ref.ref()));

    assertThat(thrown).as("%s(%s)", entry, ref).isInstanceOf(ref.error());
    VmLifecycleException e = (VmLifecycleException) thrown;
    assertThat(e.kind()).isEqualTo(ref.kind());
    assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").doesNotContain("\0");
    if (ref.kind() == VmLifecycleException.Kind.NOT_FOUND) {
      assertThat(e.instance()).contains(ref.ref());
    }
    assertUnchanged(before);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/images/nope.qcow2", "/images", "/images/", "relative.qcow2"})
  void rescue_missingImageOrADirectory_isInvalidInputAndTheInstanceIsUnchanged(String image) {
    String definition = fake.definition(web);

    assertThatThrownBy(() -> engine.rescue("web-1", RescueRequest.builder().image(image).build()))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.kind()).isEqualTo(VmLifecycleException.Kind.INVALID_INPUT))
        .hasMessageContaining(image);

    assertInstanceUnchanged(definition);
    ActionRecord last = last(engine.actions("web-1"));
    assertThat(last.action()).isEqualTo(ActionKind.RESCUE);
    assertThat(last.result()).isEqualTo(ActionRecord.Result.FAILED);
    assertThat(last.faultKind()).contains(VmLifecycleException.Kind.INVALID_INPUT);
    assertThat(last.vmStateAfter()).isEqualTo(VmState.ACTIVE);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/var/lib/fake/web-1/disk", "/var/lib/fake/web-1/./disk", "/var/lib/fake/web-2/../web-1/disk",
      "//var/lib/fake/web-1/disk"})
  void rescue_imageIsTheInstancesOwnDisk_isRefusedBeforeTheHypervisorIsCalled(String ownDisk) {
    fake.addImage(ownDisk);
    String definition = fake.definition(web);
    assertThat(definition).contains("/var/lib/fake/web-1/disk");

    assertThatThrownBy(() -> engine.rescue("web-1", RescueRequest.builder().image(ownDisk).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(ownDisk).hasMessageContaining("own disk");

    fake.assertNotCalled(FakeCall.RESCUE);
    assertInstanceUnchanged(definition);
  }

  @Test
  void rescue_kernelOrRamdiskIsTheInstancesOwnDisk_isRefusedBeforeTheHypervisorIsCalled() {
    String ownDisk = "/var/lib/fake/web-1/disk";
    fake.addImage(ownDisk);
    fake.addImage("/images/vmlinuz");
    fake.addImage("/images/initrd");
    String definition = fake.definition(web);

    assertThatThrownBy(() -> engine.rescue("web-1", RescueRequest.builder().image(IMAGE).kernel(ownDisk)
        .ramdisk("/images/initrd").build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("rescue kernel");
    assertThatThrownBy(() -> engine.rescue("web-1", RescueRequest.builder().image(IMAGE).kernel("/images/vmlinuz")
        .ramdisk(ownDisk).build()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("rescue ramdisk");

    fake.assertNotCalled(FakeCall.RESCUE);
    assertInstanceUnchanged(definition);
  }

  @Test
  void rescueRequest_kernelWithoutRamdiskOrTheReverse_isInvalidInputBeforeTheEngine() throws Exception {
    Map<String, byte[]> before = snapshot(root);

    assertThatThrownBy(() -> RescueRequest.builder().image(IMAGE).kernel("/images/vmlinuz").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("kernel without a ramdisk");
    assertThatThrownBy(() -> RescueRequest.builder().image(IMAGE).ramdisk("/images/initrd").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("ramdisk without a kernel");
    assertThatThrownBy(() -> RescueRequest.builder().image("/images/a\0b").build())
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("NUL");
    assertThatThrownBy(() -> RescueRequest.builder().image(" ").build())
        .isInstanceOf(InvalidInputException.class);

    assertUnchanged(before);
  }

  private void assertInstanceUnchanged(String definition) {
    Instance after = engine.get("web-1");
    assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(after.taskState()).isEmpty();
    assertThat(after.originalDefinition()).isEmpty();
    assertThat(after.rescueRequest()).isEmpty();
    DriverInstance d = fake.guest(web).inspect();
    assertThat(d.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(d.rescueDefinition()).isFalse();
    assertThat(fake.definition(web)).isEqualTo(definition);
    assertThat(fake.guest(web).files()).containsExactly("disk");
  }

  private void assertUnchanged(Map<String, byte[]> before) throws IOException {
    Map<String, byte[]> after = snapshot(root);
    assertThat(after.keySet()).as("files under %s", root).isEqualTo(before.keySet());
    before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    assertThat(events).as("events").isEmpty();
    assertThat(fake.calls()).as("hypervisor calls").allSatisfy(c -> assertThat(c.call().operation()).isEmpty());
  }

  /** Every file under {@code dir} (relative path to contents), directories as empty entries. */
  static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        files.put(dir.relativize(p) + (Files.isDirectory(p) ? "/" : ""),
            Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
      }
    }
    return new LinkedHashMap<>(files);
  }

  private static ActionRecord last(List<ActionRecord> actions) {
    return actions.get(actions.size() - 1);
  }
}
