package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's launcher ({@code cli/src/dist/bin/vmlife}) as a user runs it: installed as
 * {@code bin/vmlife} beside {@code lib/vmlife.jar} (here a jar whose manifest points at the test class
 * path), called through a symlink, with its output going to files.
 */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("src", "dist", "bin", "vmlife");

  @TempDir Path root;
  private Path link;
  private String stdout;
  private String stderr;

  @BeforeEach
  void install() throws IOException {
    Path home = root.resolve("vmlife");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("lib"));
    Files.copy(LAUNCHER, home.resolve("bin/vmlife"), StandardCopyOption.COPY_ATTRIBUTES);
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Vmlife.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
        List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
            .map(p -> Path.of(p).toUri().toString()).collect(Collectors.joining(" ")));
    try (OutputStream out = Files.newOutputStream(home.resolve("lib/vmlife.jar"));
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.flush();
    }
    Files.createDirectories(root.resolve("path"));
    link = Files.createSymbolicLink(root.resolve("path/vmlife"), home.resolve("bin/vmlife"));
  }

  private int run(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(link.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(root.resolve("out").toFile())
        .redirectError(root.resolve("err").toFile());
    pb.environment().put("XDG_CACHE_HOME", root.resolve("cache").toString());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("LIBVIRT_DEFAULT_URI");
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("vmlife %s finished", List.of(args)).isTrue();
    stdout = Files.readString(root.resolve("out"), StandardCharsets.UTF_8);
    stderr = Files.readString(root.resolve("err"), StandardCharsets.UTF_8);
    return p.exitValue();
  }

  @Test
  void throughASymlink_runsTheJarAndPrintsNoEscapeCodes() throws Exception {
    assertThat(run(Map.of("VMLIFE_CDS", "0"), "--version")).as(stderr).isZero();
    assertThat(stdout).startsWith("vmlife " + BuildVersion.version());
    assertThat(run(Map.of("VMLIFE_CDS", "0"), "-c", "fake:///", "list")).as(stderr).isZero();
    assertThat(stdout.lines().skip(1).map(l -> l.split(" +")[0])).containsExactly("db-1", "web-1", "web-2");
    assertThat(stdout + stderr).doesNotContain("\u001b");
  }

  @Test
  void exitCodes_passThrough() throws Exception {
    assertThat(run(Map.of("VMLIFE_CDS", "0"), "-c", "fake:///", "pause", "web-1", "nope")).isEqualTo(4);
    assertThat(stderr).isEqualTo("vmlife: Instance nope could not be found\n");
    assertThat(run(Map.of("VMLIFE_CDS", "0"), "--no-such-option")).isEqualTo(2);
  }

  @Test
  void libvirtDefaultUri_fake_isHonoured() throws Exception {
    assertThat(run(Map.of("VMLIFE_CDS", "0", "LIBVIRT_DEFAULT_URI", "fake:///"), "--json", "show", "web-2"))
        .as(stderr).isZero();
    assertThat(stdout).contains("\"name\" : \"web-2\"");
  }

  @Test
  void classDataArchive_whenMade_isKeptInTheCacheAndLeavesNoTrainingFiles() throws Exception {
    assertThat(run(Map.of(), "rules")).as(stderr).isZero();
    assertThat(stdout).startsWith("| operation |");
    assertThat(stderr).isEmpty();
    Path cache = root.resolve("cache/vmlife");
    try (var files = Files.list(cache)) {
      assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("vmlife-\\d+\\.jsa"));
    }
  }
}
