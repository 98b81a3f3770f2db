package io.streamvec.app.snapshots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotPublisher;
import io.streamvec.model.text.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotKeysTest {
  @Test
  void everyKeyShapeNamesItsModel() {
    assertEquals("default", SnapshotKeys.modelOf("default/0")); // formats 1 and 2
    assertEquals("news", SnapshotKeys.modelOf("news/m/0"));
    assertEquals("news", SnapshotKeys.modelOf("news/r/12/3"));
    assertEquals("en/news", SnapshotKeys.modelOf("en/news/r/0/0"));
    assertEquals("m", SnapshotKeys.modelOf("m/m/1"));
    assertEquals("r", SnapshotKeys.modelOf("r/r/1/0"));
    assertEquals("news", SnapshotKeys.modelOf("news/m.1/0")); // format 5: two slots
    assertEquals("news", SnapshotKeys.modelOf("news/r/12.0/3"));
    assertEquals("en.v2/news", SnapshotKeys.modelOf("en.v2/news/r/7.1/0"));
    assertEquals("m.0", SnapshotKeys.modelOf("m.0/m.0/2"));
    assertEquals("news/m.2", SnapshotKeys.modelOf("news/m.2/0")); // no slot 2: a model's name
    assertEquals("news/r/1.", SnapshotKeys.modelOf("news/r/1./0"));
  }

  @Test
  void keysOfNoKnownShapeNameNoModel() {
    assertNull(SnapshotKeys.modelOf("default"));
    assertNull(SnapshotKeys.modelOf("/0"));
    assertNull(SnapshotKeys.modelOf("default/x"));
    assertNull(SnapshotKeys.modelOf("default/"));
  }

  @Test
  void theKeysThePublisherWritesNameItsModel() {
    ModelConfig config =
        ModelConfig.defaults().with("dim", "16").with("min-count", "1").with("context", "2");
    Learner learner = new Learner(config);
    Tokenizer tokenizer = new Tokenizer(config.maxLineChars);
    for (int i = 0; i < 50; i++)
      learner.learn(tokenizer.tokenize("word" + i + " and word" + (i + 1) + " with more"));
    ModelSnapshot s = learner.snapshot(3);
    List<String> keys = new ArrayList<>();
    new SnapshotPublisher("tenant-7", 256).publish(s, (key, value) -> keys.add(key));
    assertTrue(keys.size() > 2, "several blocks: " + keys);
    for (String key : keys) assertEquals("tenant-7", SnapshotKeys.modelOf(key), key);
  }
}
