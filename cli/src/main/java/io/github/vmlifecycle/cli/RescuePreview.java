package io.github.vmlifecycle.cli;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import io.github.vmlifecycle.libvirt.LibvirtDriver;
import io.github.vmlifecycle.libvirt.LibvirtDriverOptions;
import io.github.vmlifecycle.spi.HypervisorDriver;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** Computes what a rescue would define, as a unified diff against the current definition; changes nothing. */
final class RescuePreview {
  private RescuePreview() {}

  static String preview(LifecycleEngine engine, HypervisorDriver driver, String ref, RescueRequest request) {
    Instance instance = engine.get(ref);
    String original = driver.definition(instance.id());
    Path root = driver instanceof LibvirtDriver
        ? ((LibvirtDriver) driver).options().instanceDirRoot()
        : LibvirtDriverOptions.DEFAULT_INSTANCE_DIR_ROOT;
    Path dir = root.resolve(instance.id());
    RescueXmlSpec spec = RescueXmlSpec.of(request, dir.resolve("disk.rescue").toString(), "qcow2",
        request.kernel().map(k -> dir.resolve("kernel.rescue").toString()),
        request.ramdisk().map(r -> dir.resolve("ramdisk.rescue").toString()));
    String rescue = RescueDomainXml.create().rescue(original, spec);
    List<String> before = Arrays.asList(redact(original).split("\n", -1));
    List<String> after = Arrays.asList(redact(rescue).split("\n", -1));
    Patch<String> patch = DiffUtils.diff(before, after);
    List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(instance.name() + ".xml",
        instance.name() + ".rescue.xml", before, patch, 3);
    return String.join("\n", diff) + "\n";
  }

  private static final Pattern SECRET = Pattern.compile("(passwd|password|secret)=(['\"])[^'\"]*\\2");
  private static final Pattern EMBEDDED = Pattern.compile("(<vml:original\\b[^>]*>)[^<]*(</vml:original>)");

  /**
   * Hides what a preview must not print: password attributes, and the embedded original (base64, which
   * would carry them too).
   */
  static String redact(String xml) {
    String hidden = SECRET.matcher(xml).replaceAll("$1=$2(hidden)$2");
    return EMBEDDED.matcher(hidden).replaceAll("$1(the original definition, base64)$2");
  }

}
