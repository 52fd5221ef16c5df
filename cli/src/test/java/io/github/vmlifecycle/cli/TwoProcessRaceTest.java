package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.spi.InstanceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code vmlife} processes started at once with conflicting operations on one instance, sharing
 * one durable state store: they never both proceed. Each fake call takes 800 ms of real time, so the
 * second process usually arrives while the first is mid-operation. Rounds: 10 by default,
 * {@code -Dvmlifecycle.race.rounds=200} for the long run.
 */
class TwoProcessRaceTest {
  private static final int ROUNDS = Integer.getInteger("vmlifecycle.race.rounds", 10);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void racingProcesses_neverBothProceed() throws Exception {
    int busy = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Path state = dir.resolve("round-" + round);
      Process pause = start(state, "pause", round);
      Process suspend = start(state, "suspend", round);
      assertThat(pause.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(suspend.waitFor(60, TimeUnit.SECONDS)).isTrue();
      int pauseExit = pause.exitValue();
      int suspendExit = suspend.exitValue();
      assertThat(List.of(pauseExit, suspendExit)).as("round %d: exactly one proceeds, the other exits 3", round)
          .containsExactlyInAnyOrder(ExitCodes.OK, ExitCodes.NOT_ALLOWED);
      boolean pauseWon = pauseExit == ExitCodes.OK;
      String loser = pauseWon ? "suspend" : "pause";
      JsonNode error = JSON.readTree(Files.readString(dir.resolve(loser + "-" + round + ".err"))).get("error");
      String winnerTask = pauseWon ? "pausing" : "suspending";
      String winnerState = pauseWon ? "paused" : "suspended";
      if (error.get("type").asText().equals("busy")) {
        busy++;
        assertThat(error.get("message").asText()).as("the loser names the winner's task")
            .contains("task_state " + winnerTask);
      } else {
        assertThat(error.get("type").asText()).isEqualTo("invalid_state");
        assertThat(error.get("message").asText()).contains("vm_state " + winnerState);
      }
      InstanceStore store = InstanceStores.directory(state);
      List<Instance> instances = store.list();
      Instance web1 = instances.stream().filter(i -> i.name().equals("web-1")).findFirst().orElseThrow();
      assertThat(web1.vmState().novaName()).isEqualTo(winnerState);
      assertThat(web1.taskState()).isEmpty();
      assertThat(store.actions(web1.id())).extracting(ActionRecord::action)
          .containsExactly(ActionKind.ADOPT, pauseWon ? ActionKind.PAUSE : ActionKind.SUSPEND);
    }
    System.out.printf("two-process race: %d rounds, %d lost to a task in flight (busy), %d to the landed state%n",
        ROUNDS, busy, ROUNDS - busy);
  }

  private Process start(Path state, String operation, int round) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Vmlife.class.getName(),
        "--uri", "fake:///?latency=800ms", "--state-dir", state.toString(), "--json", operation, "web-1")
        .redirectOutput(dir.resolve(operation + "-" + round + ".out").toFile())
        .redirectError(dir.resolve(operation + "-" + round + ".err").toFile())
        .start();
  }
}
