package io.streamvec.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

/** The model keys: routing, per-model overrides, and a clear message for every mistake. */
class ModelsConfigTest {
  private static ModelsConfig models(Map<String, String> m) {
    return AppConfig.of(m).models();
  }

  private static String refused(Map<String, String> m) {
    return assertThrows(ConfigException.class, () -> AppConfig.of(m)).getMessage();
  }

  @Test
  void byDefaultOneModelTrainsEveryInputTopic() {
    ModelsConfig c = models(Map.of());
    assertTrue(c.single());
    assertEquals(List.of("default"), c.names());
    assertEquals(List.of("text"), c.inputTopics());
    assertEquals("default", c.route("text", null));
  }

  @Test
  void byTopicMappedTopicsJoinTheInputAndUnmappedOnesTrainModelId() {
    ModelsConfig c =
        models(
            Map.of(
                "models", "news,code",
                "model.news.topics", "news-en, news-fr",
                "model.code.topics", "code",
                "model.code.dim", "50"));
    assertFalse(c.single());
    assertEquals(List.of("default", "news", "code"), c.names());
    assertEquals(List.of("text", "news-en", "news-fr", "code"), c.inputTopics());
    assertEquals("news", c.route("news-fr", null));
    assertEquals("default", c.route("text", "news".getBytes(StandardCharsets.UTF_8)));
    assertEquals(50, c.modelConfig("code").dim);
    assertEquals(100, c.modelConfig("news").dim);
    assertTrue(
        AppConfig.of(Map.of("models", "a", "model.a.dim", "7"))
            .describe()
            .containsKey("model.a.dim"));
  }

  @Test
  void byKeyOnlyListedModelsUnlessNewOnesAreAdmitted() {
    ModelsConfig c = models(Map.of("model.routing", "key", "models", "a,b"));
    byte[] a = "a".getBytes(StandardCharsets.UTF_8);
    assertEquals("a", c.route("text", a));
    assertEquals("default", c.route("text", "default".getBytes(StandardCharsets.UTF_8)));
    assertNull(c.route("text", "z".getBytes(StandardCharsets.UTF_8)));
    assertNull(c.route("text", null));
    assertNull(c.route("text", new byte[] {(byte) 0xff}));
    ModelsConfig open = models(Map.of("model.routing", "key", "models.admit", "true"));
    assertEquals("z", open.route("text", "z".getBytes(StandardCharsets.UTF_8)));
    assertNull(open.route("text", "a/b".getBytes(StandardCharsets.UTF_8)), "not a model name");
  }

  @Test
  void aModelsPartitionIsWhereKafkasDefaultPartitionerPutsItsName() {
    ModelsConfig c = models(Map.of("model.partitions", "7", "models", "x"));
    for (String name : List.of("default", "news", "t-123", "ü"))
      assertEquals(
          BuiltInPartitioner.partitionForKey(name.getBytes(StandardCharsets.UTF_8), 7),
          c.partitionOf(name),
          name);
  }

  @Test
  void mistakesAreRefusedWithTheKeyAndTheFix() {
    assertTrue(refused(Map.of("models", "a/b")).contains("not a valid model name"));
    assertTrue(refused(Map.of("model.x.topics", "t")).contains("add it to 'models'"));
    assertTrue(
        refused(Map.of("models", "a,b", "model.a.topics", "t", "model.b.topics", "t"))
            .contains("mapped to two models"));
    assertTrue(
        refused(Map.of("models", "a", "model.a.dimm", "3")).contains("neither 'topics' nor a"));
    assertTrue(
        refused(Map.of("models", "a", "model.routing", "key", "model.a.topics", "t"))
            .contains("model.routing=topic"));
    assertTrue(refused(Map.of("models.admit", "true")).contains("model.routing=key"));
    assertTrue(refused(Map.of("model.routing", "keys")).contains("topic or key"));
    assertTrue(refused(Map.of("models.admit", "yes")).contains("true or false"));
    assertTrue(refused(Map.of("model.id", "my model")).contains("model.id"));
  }

  @Test
  void aBadValueInOneModelsOverridesFailsOnlyThatModel() {
    ModelsConfig c = models(Map.of("models", "a,b", "model.a.dim", "0"));
    assertTrue(
        assertThrows(ConfigException.class, () -> c.modelConfig("a"))
            .getMessage()
            .contains("model 'a'"));
    assertEquals(100, c.modelConfig("b").dim);
  }
}
