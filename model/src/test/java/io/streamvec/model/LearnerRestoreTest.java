package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.io.SnapshotCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Restore + continue must be bit-identical to an uninterrupted run, for every encoder and loss. */
class LearnerRestoreTest {

  static ModelConfig small(String encoder, String loss) {
    return ModelConfig.defaults()
        .with("encoder", encoder)
        .with("loss", loss)
        .with("dim", "16")
        .with("hidden", "12")
        .with("context", "3")
        .with("vocab-size", "60")
        .with("min-count", "2")
        .with("candidates", "50")
        .with("half-life", "3000")
        .with("noise-refresh", "500")
        .with("eval-window", "100")
        .with("seed", "11");
  }

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource({"lbl,ns", "lbl,softmax", "bengio,ns", "cbow,ns"})
  void checkpointThenContinueEqualsUninterrupted(String encoder, String loss) throws IOException {
    List<String> stream =
        SyntheticText.zipfStream(12_000, 150, 5); // 150 word types > 60 slots: evictions happen
    ModelConfig c = small(encoder, loss);

    Learner straight = new Learner(c);
    straight.learn(stream);

    Learner first = new Learner(c);
    first.learn(stream.subList(0, 7_001));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(first, file);
    Learner resumed = LearnerState.readCheckpoint(new ByteArrayInputStream(file.toByteArray()));
    // lr=auto is checkpointed as the number it resolved to, so a later build's auto cannot change
    // it
    org.junit.jupiter.api.Assertions.assertEquals(
        Double.toString(c.lr), resumed.config().get("lr"));
    org.junit.jupiter.api.Assertions.assertEquals(c, resumed.config());
    resumed.learn(stream.subList(7_001, stream.size()));

    assertTrue(straight.vocabulary().evictions() > 0, "the test stream should force evictions");
    if (!encoder.equals("cbow")) // the served mixture (model + n-gram) is part of the state
    assertTrue(straight.mixture().scores().scored() > 100, "the mixture should have scored tokens");
    assertSame(straight, resumed);
  }

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource({"lbl,ns", "cbow,ns"})
  void aRestoredLearnerEqualsTheOriginalAtOnce(String encoder, String loss) throws IOException {
    // words admitted since the last noise rebuild carry a logit correction of their own: a
    // snapshot (and the next scores) taken right after a restore must see the same values
    List<String> stream = SyntheticText.zipfStream(5_000, 150, 13);
    for (int cut : new int[] {700, 2_345, 4_999}) {
      Learner original =
          new Learner(
              small(encoder, loss)
                  .with("vocab-size", "1000")); // still growing: rows past the noise table
      original.learn(stream.subList(0, cut));
      ByteArrayOutputStream file = new ByteArrayOutputStream();
      LearnerState.writeCheckpoint(original, file);
      assertSame(
          original, LearnerState.readCheckpoint(new ByteArrayInputStream(file.toByteArray())));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"lbl,ns", "bengio,ns"})
  void incrementalRowsPlusGlobalRestoreIsExact(String encoder, String loss) throws IOException {
    // what the streams app does: keep the latest bytes of every dirty row, plus the global part
    List<String> stream = SyntheticText.zipfStream(9_000, 150, 9);
    ModelConfig c = small(encoder, loss);
    Learner live = new Learner(c);
    Map<Integer, byte[]> rowStore = new HashMap<>();
    byte[] global = null;
    for (int start = 0; start < 6_000; start += 1_000) {
      live.learn(stream.subList(start, start + 1_000));
      live.dirtyRows().stream().forEach(r -> rowStore.put(r, LearnerState.row(live, r)));
      live.clearDirtyRows();
      global = LearnerState.global(live);
    }
    Learner restored = LearnerState.restore(global, rowStore::get);
    live.learn(stream.subList(6_000, stream.size()));
    restored.learn(stream.subList(6_000, stream.size()));
    assertSame(live, restored);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"lbl,ns"})
  void corruptOrTruncatedCheckpointsAreRejected(String encoder, String loss) throws IOException {
    Learner l = new Learner(small(encoder, loss));
    l.learn(SyntheticText.zipfStream(2_000, 100, 3));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(l, file);
    byte[] ok = file.toByteArray();
    byte[] flipped = ok.clone();
    flipped[ok.length / 2] ^= 0x10;
    IOException e1 =
        assertThrows(
            IOException.class,
            () -> LearnerState.readCheckpoint(new ByteArrayInputStream(flipped)));
    assertTrue(
        e1.getMessage().contains("checksum") || e1.getMessage().contains("corrupt"),
        e1.getMessage());
    byte[] cut = java.util.Arrays.copyOf(ok, ok.length - 100);
    IOException e2 =
        assertThrows(
            IOException.class, () -> LearnerState.readCheckpoint(new ByteArrayInputStream(cut)));
    assertTrue(e2.getMessage().contains("truncated"), e2.getMessage());
    byte[] future = ok.clone();
    future[7] = 9; // version int
    IOException e3 =
        assertThrows(
            IOException.class, () -> LearnerState.readCheckpoint(new ByteArrayInputStream(future)));
    assertTrue(e3.getMessage().contains("version 9"), e3.getMessage());
  }

  /**
   * Same model content and same future: snapshots bit-identical and the stats (meter, counters)
   * equal.
   */
  static void assertSame(Learner a, Learner b) {
    ModelSnapshot sa = a.snapshot(1), sb = b.snapshot(1);
    assertTrue(sa.sameModelAs(sb), "snapshots differ");
    assertArrayEquals(
        SnapshotCodec.encode(sa), SnapshotCodec.encode(sb), "encoded snapshots differ");
    assertEquals(a.stats().toString(), b.stats().toString());
    assertArrayEquals(LearnerState.global(a), LearnerState.global(b), "global state differs");
  }

  /** Deterministic synthetic text. */
  static final class SyntheticText {
    static List<String> zipfStream(int n, int types, long seed) {
      io.streamvec.model.nn.Rng rng = new io.streamvec.model.nn.Rng(seed);
      double[] cdf = new double[types];
      double z = 0;
      for (int i = 0; i < types; i++) {
        z += 1.0 / (i + 1);
        cdf[i] = z;
      }
      List<String> out = new ArrayList<>(n);
      for (int t = 0; t < n; t++) {
        // drift: the popular words change half-way, so decay and eviction matter
        double u = rng.nextDouble() * z;
        int w = 0;
        while (cdf[w] < u) w++;
        int id = t < n / 2 ? w : (w + types / 2) % types;
        out.add(id == 0 && rng.nextInt(4) == 0 ? "</s>" : "w" + id);
      }
      return out;
    }
  }
}
