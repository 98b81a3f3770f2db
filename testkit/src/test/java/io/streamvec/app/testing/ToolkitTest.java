package io.streamvec.app.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The test toolkit itself: ports, waiting, processes that hang or talk too much. */
@Timeout(60)
class ToolkitTest {
  @TempDir Path dir;

  @Test
  void freePortsAreDistinctBindableAndBelowTheEphemeralRange() throws Exception {
    int low = FreePorts.ephemeralLow();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = FreePorts.one();
      assertTrue(port >= FreePorts.LOWEST && port < low, port + " not in [10000, " + low + ")");
      assertTrue(seen.add(port), "handed out twice: " + port);
    }
    int[] ports = FreePorts.several(3);
    for (int p : ports) assertTrue(seen.add(p), "handed out twice: " + p);
    try (ServerSocket s = new ServerSocket(ports[0], 1, InetAddress.getLoopbackAddress())) {
      assertEquals(ports[0], s.getLocalPort());
    }
  }

  @Test
  void awaitReturnsOnceTheConditionHoldsAndFailsWithItsDescriptionAfterTheTimeout() {
    AtomicInteger calls = new AtomicInteger();
    Await.await("three calls", () -> calls.incrementAndGet() >= 3, Duration.ofSeconds(5));
    assertEquals(3, calls.get());
    long t0 = System.nanoTime();
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                Await.await(
                    () -> "never, calls " + calls.get(), () -> false, Duration.ofMillis(300)));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds >= 0.3 && seconds < 3, "gave up after " + seconds + " s");
    assertTrue(e.getMessage().contains("never, calls 3"), e.getMessage());
    AssertionError thrown =
        assertThrows(
            AssertionError.class,
            () ->
                Await.await(
                    "a file",
                    () -> Files.readString(dir.resolve("missing")).isEmpty(),
                    Duration.ofSeconds(1)));
    assertTrue(thrown.getMessage().contains("while waiting for: a file"), thrown.getMessage());
  }

  @Test
  void aProcessIsRunWithItsStdinAndItsOutputIsReturned() {
    ProcessRunner.Result r =
        ProcessRunner.command("bash", "-c", "tr a-z A-Z; echo oops >&2; exit 3")
            .stdin("hello\n")
            .run(Duration.ofSeconds(30));
    assertEquals(3, r.exitCode());
    assertEquals("HELLO\noops\n", r.out());
    ProcessRunner.Result apart =
        ProcessRunner.command("bash", "-c", "echo out; echo err >&2")
            .separateStderr()
            .run(Duration.ofSeconds(30));
    assertEquals("out\n", apart.out());
    assertEquals("err\n", apart.err());
  }

  @Test
  void aProcessThatWritesMoreThanAPipeHoldsNeverBlocks() {
    // 8 MB: far more than a 64 kB pipe buffer that nobody reads
    ProcessRunner.Result r =
        ProcessRunner.command(
                "bash", "-c", "head -c 8000000 /dev/zero | tr '\\0' x; echo; echo end")
            .run(Duration.ofSeconds(30));
    assertEquals(0, r.exitCode());
    assertTrue(r.out().endsWith("\nend\n"));
    assertTrue(r.tail().length() < 9_000_000);
  }

  @Test
  void aHangingProcessTreeIsKilledAtTheTimeoutAndTheFailureShowsItsLastOutput() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    long t0 = System.nanoTime();
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                ProcessRunner.command(
                        "bash",
                        "-c",
                        "for i in $(seq 1 100); do echo line $i; done; sleep 600 & echo $! > "
                            + pidFile
                            + "; wait")
                    .run(Duration.ofSeconds(2)));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < 20, "took " + seconds + " s");
    assertTrue(e.getMessage().contains("did not finish within 2 s"), e.getMessage());
    assertTrue(
        e.getMessage().contains("line 100") && !e.getMessage().contains("line 1\n"),
        e.getMessage());
    long child = Long.parseLong(Files.readString(pidFile).strip());
    Await.await(
        "the background sleep " + child + " is killed too",
        () -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true),
        Duration.ofSeconds(10));
  }

  @Test
  void stopSendsSigtermAndKillIsTheFallback() {
    try (ProcessRunner.Running polite =
        ProcessRunner.command(
                "bash",
                "-c",
                "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.1; done")
            .start()) {
      Await.await("ready", () -> polite.output().contains("ready"), Duration.ofSeconds(10));
      assertEquals(0, polite.stop(Duration.ofSeconds(10)));
      assertTrue(polite.output().contains("bye"), polite.output());
    }
    try (ProcessRunner.Running stubborn =
        ProcessRunner.command(
                "bash", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done")
            .start()) {
      Await.await("ready", () -> stubborn.output().contains("ready"), Duration.ofSeconds(10));
      assertEquals(137, stubborn.stop(Duration.ofMillis(500)), "128 + SIGKILL");
      assertFalse(stubborn.isAlive());
    }
  }
}
