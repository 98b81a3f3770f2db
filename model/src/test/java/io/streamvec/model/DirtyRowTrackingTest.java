package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Turning dirty-row tracking off (the train CLI does) changes nothing but the bookkeeping: the
 * learner ends in the same state, bit for bit, and with tracking on every row whose parameters
 * changed is marked.
 */
class DirtyRowTrackingTest {

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource({"lbl,ns", "lbl,softmax", "bengio,ns", "cbow,ns"})
  void trackingOffTrainsTheSameModel(String encoder, String loss) throws IOException {
    ModelConfig c = LearnerRestoreTest.small(encoder, loss);
    List<String> stream = LearnerRestoreTest.SyntheticText.zipfStream(6_000, 150, 3);

    Learner tracked = new Learner(c);
    tracked.learn(stream.subList(0, 3_000));
    tracked.clearDirtyRows();
    int v = tracked.vocabulary().size();
    byte[][] rowsBefore = new byte[v][];
    for (int r = 0; r < v; r++) rowsBefore[r] = LearnerState.row(tracked, r);
    tracked.learn(stream.subList(3_000, 3_200));
    for (int r = 0; r < v; r++) {
      if (!java.util.Arrays.equals(rowsBefore[r], LearnerState.row(tracked, r))) {
        assertTrue(tracked.dirtyRows().get(r), "row " + r + " changed but is not marked dirty");
      }
    }
    tracked.learn(stream.subList(3_200, stream.size()));

    Learner untracked = new Learner(c);
    untracked.trackDirtyRows(false);
    untracked.learn(stream);
    assertEquals(tracked.tokens(), untracked.tokens());
    assertArrayEquals(checkpoint(tracked), checkpoint(untracked));
  }

  private static byte[] checkpoint(Learner l) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(l, out);
    return out.toByteArray();
  }
}
