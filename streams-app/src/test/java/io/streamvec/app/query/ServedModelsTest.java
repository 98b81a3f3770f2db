package io.streamvec.app.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.streamvec.app.SenseSwapText;
import io.streamvec.app.TestTexts;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.text.Tokenizer;
import org.junit.jupiter.api.Test;

/**
 * Which copy of a model version the query side serves: the trainer's, handed over before its
 * transaction commits, or the one read committed from the snapshots topic.
 */
class ServedModelsTest {
  private static ModelSnapshot[] twoTakesOfVersion3() {
    ModelConfig c = ModelConfig.defaults().withAll(TestTexts.smallModel());
    Learner l = new Learner(c);
    Tokenizer tok = new Tokenizer(c.maxLineChars);
    for (String line : SenseSwapText.lines(2_000, false, 1)) l.learn(tok.tokenize(line));
    ModelSnapshot aborted = l.snapshot(3); // its transaction is fenced and aborted
    for (String line : SenseSwapText.lines(500, false, 2)) l.learn(tok.tokenize(line));
    ModelSnapshot committed = l.snapshot(3); // the restored trainer takes version 3 again, later
    return new ModelSnapshot[] {aborted, committed};
  }

  private static ServedModels served() {
    return new ServedModels(
        "default", new SnapshotHistory(2, 100, 20), () -> new SnapshotHistory(2, 100, 20));
  }

  private static ModelSnapshot serving(ServedModels m) {
    return m.defaultModel().served.get().queries().snapshot();
  }

  @Test
  void theTopicsCopyReplacesAnAbortedCopyOfTheSameVersion() {
    ModelSnapshot[] v3 = twoTakesOfVersion3();
    ServedModels m = served();
    m.update("default", v3[0]);
    m.updateCommitted("default", v3[1]);
    assertSame(v3[1], serving(m), "the committed take of version 3 is served");
    m.update("default", v3[0]); // a late hand-over of the same version changes nothing
    assertSame(v3[1], serving(m));
  }

  @Test
  void theSameTakeReadBackIsNotServedAgainAndOlderVersionsNever() {
    ModelSnapshot[] v3 = twoTakesOfVersion3();
    ServedModels m = served();
    m.update("default", v3[1]);
    m.updateCommitted("default", v3[1]);
    assertSame(v3[1], serving(m));
    ModelConfig c = ModelConfig.defaults().withAll(TestTexts.smallModel());
    m.updateCommitted("default", new Learner(c).snapshot(2));
    assertSame(v3[1], serving(m));
    assertEquals(3, m.defaultModel().served.get().queries().snapshot().version);
  }
}
