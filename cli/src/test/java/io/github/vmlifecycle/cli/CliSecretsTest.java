package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.fake.FakeInstanceSpec;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VNC password in an instance's definition through {@code vmlife} rescue, unrescue and failures: it
 * is in the instance record (mode 0600) while the instance is rescued, and in none of the command's
 * output, error messages, the action log ({@code actions --json} and the store's {@code .actions}
 * file) or anything written to the process's standard error.
 */
class CliSecretsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "s3cret-" + UUID.randomUUID();
  private static final String IMAGE = "/images/rescue.qcow2";
  private static final String DEFINITION = """
      <domain type='kvm'>
        <name>vnc-1</name>
        <uuid>0b7e5f0c-3a61-4c55-8f51-2d7a4b1c9e10</uuid>
        <memory unit='KiB'>262144</memory>
        <os><type arch='x86_64' machine='pc'>hvm</type></os>
        <devices>
          <disk type='file' device='disk'>
            <driver name='qemu' type='qcow2'/>
            <source file='/var/lib/fake/vnc-1/disk'/>
            <target dev='vda' bus='virtio'/>
          </disk>
          <graphics type='vnc' port='-1' autoport='yes' passwd='%s'/>
        </devices>
      </domain>
      """.formatted(SECRET);

  @TempDir Path stateDir;
  private final FakeHypervisor fake = new FakeHypervisor();
  private final List<String> outputs = new ArrayList<>();
  private String out;

  private int run(String... args) {
    InstanceStore store = InstanceStores.directory(stateDir);
    Vmlife.SessionFactory sessions = new Vmlife.SessionFactory() {
      @Override
      Vmlife.Session open(Optional<String> uri, Optional<Path> dir) {
        return Sessions.session(fake, store, false);
      }
    };
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int exit = Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]), new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8), sessions), args);
    out = o.toString(StandardCharsets.UTF_8);
    outputs.add(out);
    outputs.add(e.toString(StandardCharsets.UTF_8));
    return exit;
  }

  @Test
  void aPasswordInTheDefinition_staysInThePrivateRecordAndOutOfEveryOutput() throws Exception {
    fake.addImage(IMAGE);
    fake.addImage("/var/lib/fake/vnc-1/disk");
    String id = fake.define(FakeInstanceSpec.builder().name("vnc-1").definition(DEFINITION).build());
    PrintStream processErr = System.err;
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
    try {
      assertThat(run("rescue", "vnc-1", "--image", IMAGE, "--dry-run")).isZero();
      assertThat(run("--json", "rescue", "vnc-1", "--image", IMAGE)).isZero();
      Path record = stateDir.resolve(id + ".instance");
      assertThat(Files.readString(record)).contains(SECRET);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record))).isEqualTo("rw-------");
      assertThat(run("show", "vnc-1")).isZero();
      assertThat(run("--json", "list")).isZero();
      fake.onCall(FakeCall.UNRESCUE).withMessage("unrescue refused by the test").failBefore();
      assertThat(run("--json", "unrescue", "vnc-1")).isEqualTo(ExitCodes.HYPERVISOR);
      assertThat(run("--json", "unrescue", "vnc-1")).isZero();
      assertThat(fake.definition(id)).isEqualTo(DEFINITION);
      assertThat(run("--json", "rescue", "vnc-1", "--image", "/images/missing.qcow2")).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(run("--json", "rescue", "vnc-1", "--image", "/var/lib/fake/vnc-1/disk"))
          .isEqualTo(ExitCodes.INVALID_INPUT);
      fake.onCall(FakeCall.RESCUE).withMessage("rescue refused by the test").failBefore();
      assertThat(run("rescue", "vnc-1", "--image", IMAGE)).isEqualTo(ExitCodes.HYPERVISOR);
      assertThat(run("--json", "actions", "vnc-1")).isZero();
    } finally {
      System.setErr(processErr);
    }

    JsonNode actions = JSON.readTree(out);
    assertThat(actions).extracting(a -> a.get("action").asText() + " " + a.get("result").asText())
        .contains("rescue succeeded", "unrescue failed", "unrescue succeeded", "rescue failed");
    assertThat(outputs).allSatisfy(text -> assertThat(text).doesNotContain(SECRET));
    assertThat(logged.toString(StandardCharsets.UTF_8)).doesNotContain(SECRET);
    assertThat(Files.readString(stateDir.resolve(id + ".actions"))).doesNotContain(SECRET);
    assertThat(Files.readString(stateDir.resolve(id + ".instance"))).as("the original is dropped after unrescue")
        .doesNotContain(SECRET);
  }
}
