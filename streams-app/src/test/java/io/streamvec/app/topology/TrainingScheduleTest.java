package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When checkpoints and snapshots are due: counts for checkpoints, counts and the clock for
 * snapshots.
 */
class TrainingScheduleTest {
  private static TrainingSchedule schedule() {
    TrainerSettings s =
        TrainerSettings.from(
            AppConfig.of(
                Map.of(
                    AppKeys.CHECKPOINT_INTERVAL_RECORDS, "10",
                    AppKeys.CHECKPOINT_INTERVAL_TOKENS, "100",
                    AppKeys.SNAPSHOT_INTERVAL_TOKENS, "250",
                    AppKeys.SNAPSHOT_INTERVAL_MS, "60000",
                    AppKeys.IDLE_SNAPSHOT_MS, "5000")));
    TrainingSchedule t = new TrainingSchedule(s);
    t.restored(0, 0, 0, 0, 0, 1_000);
    return t;
  }

  @Test
  void aCheckpointIsDueEveryTenRecordsOrHundredTokensWhicheverComesFirst() {
    TrainingSchedule t = schedule();
    int due = 0;
    // 3-token records: 10 records (30 tokens) come before 100 tokens
    for (int i = 1; i <= 25; i++) {
      t.record(3, 1_000 + i);
      if (t.takeCheckpoint()) {
        due++;
        assertEquals(0, i % 10, "at record " + i);
      }
    }
    assertEquals(2, due);
    // 60-token records: 100 tokens come after 2 records
    t.record(60, 2_000);
    assertFalse(t.takeCheckpoint(), "6 records and 75 tokens since the last");
    t.record(60, 2_001);
    assertTrue(t.takeCheckpoint(), "135 tokens since the last");
    assertFalse(t.takeCheckpoint(), "taken once");
  }

  @Test
  void bigModelsCheckpointLessOftenSoThatACheckpointWritesAtMostTheConfiguredBytesPerToken() {
    // d = 300, H = 300: a stored row is 4 (300 + 1 + 300 + 3) + 8 = 2424 bytes
    Map<String, String> m =
        Map.of(
            AppKeys.CHECKPOINT_INTERVAL_RECORDS,
            "200000",
            AppKeys.CHECKPOINT_INTERVAL_TOKENS,
            "4000000",
            AppKeys.CHECKPOINT_BYTES_PER_TOKEN,
            "100",
            "dim",
            "300",
            "vocab-size",
            "1000000");
    TrainingSchedule t = new TrainingSchedule(TrainerSettings.from(AppConfig.of(m)));
    t.restored(0, 0, 0, 0, 0, 0);
    assertEquals(1.0, t.checkpointScale(), "no checkpoint yet: the configured interval");
    t.checkpointWords(100_000); // 242.4 MB of rows: 2.4M tokens at 100 bytes each, below 4M
    assertEquals(1.0, t.checkpointScale());
    t.checkpointWords(1_000_000); // 2.424 GB: 24.24M tokens
    assertEquals(2_424_000_000.0 / 100 / 4_000_000, t.checkpointScale(), 1e-12);
    t.record(4_000_000, 1);
    assertFalse(t.takeCheckpoint(), "4M tokens are not enough for a million words");
    t.record(20_239_999, 2);
    assertFalse(t.takeCheckpoint(), "one token short of 24.24M");
    t.record(1, 3);
    assertTrue(t.takeCheckpoint(), "24.24M tokens");
    TrainerSettings fixed =
        TrainerSettings.from(
            AppConfig.of(Map.of(AppKeys.CHECKPOINT_BYTES_PER_TOKEN, "0", "dim", "300")));
    TrainingSchedule f = new TrainingSchedule(fixed);
    f.checkpointWords(1_000_000);
    assertEquals(1.0, f.checkpointScale(), "0 = fixed intervals");
  }

  @Test
  void aSliceSmallerThanTheMinimumIsRefusedWithTheFix() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.streamvec.app.config.ConfigException.class,
            () ->
                TrainerSettings.from(AppConfig.of(Map.of(AppKeys.CHECKPOINT_SLICE_BYTES, "100"))));
    assertTrue(
        e.getMessage().contains("'checkpoint.slice.bytes' = 100 is too small: use at least 4096"),
        e.getMessage());
    var s =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.streamvec.app.config.ConfigException.class,
            () -> TrainerSettings.from(AppConfig.of(Map.of(AppKeys.SNAPSHOT_SLICE_BYTES, "4095"))));
    assertTrue(
        s.getMessage().contains("'snapshot.slice.bytes' = 4095 is too small: use at least 4096")
            && s.getMessage().contains("the default is 8388608"),
        s.getMessage());
  }

  @Test
  void snapshotsComeByTokensWhileBusyAndOnceWhenIdle() {
    TrainingSchedule t = schedule();
    assertFalse(t.takeSnapshotByTime(100_000), "no token yet: nothing to publish");
    t.record(200, 2_000);
    assertFalse(t.takeSnapshotByTokens(2_000));
    t.record(60, 3_000);
    assertTrue(t.takeSnapshotByTokens(3_000), "260 >= 250 tokens");
    assertFalse(t.takeSnapshotByTime(7_999), "nothing new since the snapshot at 260 tokens");
    t.record(5, 4_000);
    assertFalse(t.takeSnapshotByTime(8_999), "idle for 4999 ms < 5000");
    assertTrue(t.takeSnapshotByTime(9_000), "idle for 5000 ms");
    assertFalse(t.takeSnapshotByTime(60_000), "the idle snapshot is taken once");
    // busy: a record every second, no token trigger (5 tokens each): the interval (60 s) decides
    int due = 0;
    for (long now = 10_000; now <= 130_000; now += 1_000) {
      t.record(5, now);
      if (t.takeSnapshotByTime(now)) due++;
    }
    assertEquals(2, due, "at 69 s and 129 s: 60 s after the snapshot at 9 s, then again");
  }

  @Test
  void aRestoreCountsFromTheCheckpointAndTheLastSnapshot() {
    TrainingSchedule t = schedule();
    // restored: checkpoint after 40 records / 900 tokens, 8 more replayed (records 48, 990 tokens),
    // last snapshot at 800 tokens
    t.restored(48, 990, 40, 900, 800, 50_000);
    assertEquals(48, t.records());
    assertEquals(990, t.tokens());
    t.record(1, 50_001);
    assertFalse(t.takeCheckpoint(), "9 records, 91 tokens since the checkpoint");
    t.record(1, 50_002);
    assertTrue(t.takeCheckpoint(), "10 records since the checkpoint");
    t.record(58, 50_003);
    assertTrue(t.takeSnapshotByTokens(50_003), "1050 - 800 = 250 tokens since the last snapshot");
  }
}
