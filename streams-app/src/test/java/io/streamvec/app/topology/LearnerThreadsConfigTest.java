package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** learner.threads: its default, its range, and the models that learn on one thread only. */
class LearnerThreadsConfigTest {
  private static TrainerSettings settings(Map<String, String> m) {
    return TrainerSettings.from(AppConfig.of(m));
  }

  @Test
  void oneByDefaultAndTwoWhenAsked() {
    assertEquals(1, settings(Map.of()).learnerThreads());
    TrainerSettings two = settings(Map.of(AppKeys.LEARNER_THREADS, "2"));
    assertEquals(2, two.learnerThreads());
    assertEquals(
        1,
        two.forModel("news", ModelConfig.defaults()).learnerThreads(),
        "models of models= learn on their stream thread, on one");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "3", "-1", "two"})
  void outOfRangeIsRefusedWithTheFix(String v) {
    var e =
        assertThrows(ConfigException.class, () -> AppConfig.of(Map.of(AppKeys.LEARNER_THREADS, v)));
    assertTrue(e.getMessage().contains("'learner.threads'"), e.getMessage());
    assertTrue(
        e.getMessage().contains(v.equals("two") ? "not a whole number" : "use 1 or 2"),
        e.getMessage());
  }

  @Test
  void fadingAdagradAndSoftmaxRefuseTwoThreadsAndSaySo() {
    var fading =
        assertThrows(
            ConfigException.class,
            () -> settings(Map.of(AppKeys.LEARNER_THREADS, "2", "adagrad-half-life", "1000000")));
    assertTrue(
        fading.getMessage().contains("adagrad-half-life = 1000000")
            && fading.getMessage().contains("set learner.threads=1"),
        fading.getMessage());
    var softmax =
        assertThrows(
            ConfigException.class,
            () -> settings(Map.of(AppKeys.LEARNER_THREADS, "2", "loss", "softmax")));
    assertTrue(softmax.getMessage().contains("loss=softmax"), softmax.getMessage());
    var batch =
        assertThrows(
            ConfigException.class,
            () -> settings(Map.of(AppKeys.LEARNER_THREADS, "2", "batch", "16")));
    assertTrue(
        batch.getMessage().contains("mini-batches (batch = 16)")
            && batch.getMessage().contains("batch=1"),
        batch.getMessage());
    assertEquals(
        1,
        settings(Map.of(AppKeys.LEARNER_THREADS, "1", "adagrad-half-life", "1000000"))
            .learnerThreads());
  }

  /** A restored model keeps its stored hyper-parameters: fading AdaGrad then learns on one. */
  @Test
  void aStoredFadingModelLearnsOnOneThreadWhateverTheKeySays() {
    TrainerSettings two = settings(Map.of(AppKeys.LEARNER_THREADS, "2"));
    Learner plain = new Learner(ModelConfig.defaults().withAll(Map.of("vocab-size", "100")));
    two.startThreads(plain);
    assertEquals(2, plain.threads());
    plain.setThreads(1);
    Learner fading =
        new Learner(
            ModelConfig.defaults()
                .withAll(Map.of("vocab-size", "100", "adagrad-half-life", "1000000")));
    two.startThreads(fading);
    assertEquals(1, fading.threads());
  }
}
