package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden checkpoints: the pinned trainings of {@link GoldenModelTest} must write exactly the pinned
 * checkpoint bytes, so a change to the checkpoint format, or to any state a snapshot leaves out
 * (optimiser accumulators, counters, RNG, context history, meters, noise weights, the served
 * mixture), fails here. Those bytes are what a running app has in its changelog and a resumed
 * training reads back, so they change only with a new checkpoint version.
 *
 * <p>The fourth case scores above eval-exact-vocab words (sampled scoring), the first two carry the
 * served mixture. Update a pinned hash only on purpose, with the reason in the commit message.
 */
class GoldenCheckpointTest {

  @ParameterizedTest(name = "{0} + {1} + {2}, eval-exact-vocab {3}")
  @CsvSource({
    "lbl,ns,adagrad,100000,690c811022d604d28fb7ce4bb6df821017a8a2bc9a4ae0352eb47dd825325d14",
    "bengio,softmax,adagrad,100000,f36f70e8bd38a5297ea5d09a8f331138cdaec51132011586761b7d7551557551",
    "cbow,ns,sgd,100000,4b71aa4c15e9f9c3d24ab3bfc65c6db2b7ac76beca44001b23730d48bf912894",
    "lbl,ns,adagrad,100,844e4f631094ccb7b914f4fd56195d4bef1b0af215e312057b37f7c58ec98c84",
  })
  void trainingWritesThePinnedCheckpoint(
      String encoder, String loss, String optimizer, int evalExactVocab, String sha256)
      throws IOException {
    ModelConfig config =
        GoldenModelTest.config(encoder, loss, optimizer)
            .with("eval-exact-vocab", Integer.toString(evalExactVocab));
    Learner learner = new Learner(config);
    for (String token : TestCorpus.tokens()) learner.learnToken(token);
    byte[] checkpoint = checkpoint(learner);

    assertEquals(
        sha256,
        sha256(checkpoint),
        "the checkpoint's bytes changed (" + checkpoint.length + " bytes)");
    // and they read back into a learner that writes them again
    Learner restored = LearnerState.readCheckpoint(new ByteArrayInputStream(checkpoint));
    assertArrayEquals(checkpoint, checkpoint(restored), "restored learner's checkpoint");
  }

  private static byte[] checkpoint(Learner learner) throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    LearnerState.writeCheckpoint(learner, file);
    return file.toByteArray();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
