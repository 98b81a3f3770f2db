package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * adagrad-half-life on a whole learner: a restore continues bit for bit across the renormalisation
 * every 32 half-lives (full checkpoints, and the app's incremental rows + global part, which needs
 * every row re-stored after a renormalisation), and fading changes the model only when it is on.
 * The update itself is checked against a double-precision reference in RowUpdaterReferenceTest.
 */
class FadingAdagradOnLearnerTest {
  static final String HALF_LIFE = "100"; // renormalises at tokens 3,200, 6,400, 9,600

  static ModelConfig fading(String encoder, String loss) {
    return LearnerRestoreTest.small(encoder, loss).with("adagrad-half-life", HALF_LIFE);
  }

  static byte[] checkpoint(Learner l) throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(l, file);
    return file.toByteArray();
  }

  @ParameterizedTest(name = "{0} + {1}, cut at {2}")
  @CsvSource({"lbl,ns,3199", "lbl,ns,3200", "lbl,ns,7001", "bengio,softmax,7001", "cbow,ns,6400"})
  void checkpointThenContinueEqualsUninterrupted(String encoder, String loss, int cut)
      throws IOException {
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(12_000, 150, 5);
    ModelConfig c = fading(encoder, loss);
    Learner straight = new Learner(c);
    straight.learn(stream);

    Learner first = new Learner(c);
    first.learn(stream.subList(0, cut));
    Learner resumed = LearnerState.readCheckpoint(new ByteArrayInputStream(checkpoint(first)));
    resumed.learn(stream.subList(cut, stream.size()));
    LearnerRestoreTest.assertSame(straight, resumed);
    assertArrayEquals(checkpoint(straight), checkpoint(resumed), "checkpoints differ");
  }

  @Test
  void incrementalRowsPlusGlobalRestoreIsExactAcrossARenormalisation() throws IOException {
    // the app stores only dirty rows: the renormalisation at 3,200 tokens changes every row's
    // stored accumulator, so it must mark every row dirty
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(9_000, 150, 9);
    Learner live = new Learner(fading("lbl", "ns"));
    Map<Integer, byte[]> rowStore = new HashMap<>();
    byte[] global = null;
    int[] ends = {1_000, 2_000, 3_000, 3_201}; // the last store holds one token past it
    for (int i = 0; i < ends.length; i++) {
      live.learn(stream.subList(i == 0 ? 0 : ends[i - 1], ends[i]));
      live.dirtyRows().stream().forEach(r -> rowStore.put(r, LearnerState.row(live, r)));
      live.clearDirtyRows();
      global = LearnerState.global(live);
    }
    Learner restored = LearnerState.restore(global, rowStore::get);
    live.learn(stream.subList(3_201, stream.size()));
    restored.learn(stream.subList(3_201, stream.size()));
    LearnerRestoreTest.assertSame(live, restored);
  }

  @Test
  void fadingChangesTheModelOnlyWhenOn() {
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(5_000, 150, 3);
    ModelConfig plain = LearnerRestoreTest.small("lbl", "ns");
    Learner a = new Learner(plain), b = new Learner(plain.with("adagrad-half-life", "0"));
    Learner c = new Learner(plain.with("adagrad-half-life", HALF_LIFE));
    Learner sgd = new Learner(plain.with("optimizer", "sgd"));
    Learner sgdFading =
        new Learner(plain.with("optimizer", "sgd").with("adagrad-half-life", HALF_LIFE));
    for (Learner l : new Learner[] {a, b, c, sgd, sgdFading}) l.learn(stream);
    assertTrue(a.snapshot(1).sameModelAs(b.snapshot(1)), "0 is plain AdaGrad");
    assertFalse(a.snapshot(1).sameModelAs(c.snapshot(1)), "a half-life changes AdaGrad's steps");
    // (the configs differ, so compare what was trained)
    assertEquals(
        GoldenModelTest.sha256(sgd.snapshot(1)),
        GoldenModelTest.sha256(sgdFading.snapshot(1)),
        "SGD has no accumulators");
  }

  @Test
  void badValuesAreRejectedWithTheRule() {
    ModelConfig d = ModelConfig.defaults();
    for (String bad : new String[] {"-1", "99", "1500.5", "2e12", "soon", ""}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> d.with("adagrad-half-life", bad));
      assertTrue(
          e.getMessage().contains("0 (off) or a whole number in [100, 1000000000000]"),
          e.getMessage());
    }
    assertTrue(d.with("adagrad-half-life", "2e5").adagradHalfLife == 200_000);
    assertTrue(d.adagradHalfLife == 0 || d.adagradHalfLife >= 100);
  }
}
