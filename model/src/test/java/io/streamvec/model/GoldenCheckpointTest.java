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
    "lbl,ns,adagrad,100000,91b8e9e0baec3aa2db3827af5a06e884401a87d96d4cb12ce520b3067c2a7ac8",
    "bengio,softmax,adagrad,100000,a82f5c7f43eb34a4d2dcb6e2fbbd172276ae1fef1d3ac99a48007a0280fbcccd",
    "cbow,ns,sgd,100000,545fb6b18f8267146440aaa2500a04c49a7eefdae073d2aa5d5860ba754911f2",
    "lbl,ns,adagrad,100,9e2ffb1e56f72a24e0ddfed03055832327442bb00a7f8b3dbfd6323f218f6c72",
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
