package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.spi.ProgressListener;
import java.io.PrintStream;

/** Draws a one-line progress bar on a terminal for suspend and resume. */
final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 30;
  private final PrintStream err;
  private final String label;
  private int lastPercent = -1;

  ProgressBar(PrintStream err, String label) {
    this.err = err;
    this.label = label;
  }

  /** Returns a bar when stderr is a terminal and output is not JSON, else a listener that ignores progress. */
  static ProgressListener forTerminal(PrintStream err, String label, boolean json) {
    return System.console() != null && !json ? new ProgressBar(err, label) : ProgressListener.NONE;
  }

  @Override
  public synchronized void onProgress(String instanceId, long processed, long total) {
    if (total <= 0) {
      return;
    }
    int percent = (int) Math.min(100, processed * 100 / total);
    if (percent == lastPercent) {
      return;
    }
    lastPercent = percent;
    int filled = percent * WIDTH / 100;
    err.printf("\r%s [%s%s] %3d%% %d/%d MiB", TerminalText.safe(label), "#".repeat(filled), " ".repeat(WIDTH - filled), percent,
        processed >> 20, total >> 20);
    if (percent == 100) {
      err.println();
    }
    err.flush();
  }
}
