package io.streamvec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden models: a fixed seed and the fixed text of {@link TestCorpus} must give exactly the pinned
 * model, so any change to what training computes fails here, even one that every other test accepts
 * because it changes both sides of a comparison (a refactor, a reordered sum, another noise
 * schedule).
 *
 * <p>Each case pins a SHA-256 of the whole snapshot (words, counts, then the float bits of E (V,
 * d), W (V, H), b (V) and the encoder's parameters) plus a few numbers printed with full precision,
 * so a failure says whether the model moved materially or only in its last bits. The configs use a
 * small vocabulary (min-count 2, capacity 300, 400 candidates, decaying counts) so admissions,
 * evictions and slot reuse take part, and together they cover all encoders, both losses and both
 * optimisers.
 *
 * <p>Update the pinned values only on purpose: when a change is meant to alter the trained model,
 * paste the "actual" line of the failure here and say in the commit message why the model changed.
 */
class GoldenModelTest {

  @ParameterizedTest(name = "{0} + {1} + {2}")
  @CsvSource({
    "lbl,ns,adagrad,c5061149f4eeda2a3c1f5c48e448e96ac123d0fc72080956e2ee0f70cbc21dc9,1530,50,0.31833512,-0.34725994,0.441319",
    "bengio,softmax,adagrad,009af91abd7a0d81a0744421c421933b16db86c06230d8c32abcfcdc070e7072,1507,50,0.027726637,-0.18684158,0.23493621",
    "cbow,ns,sgd,5cb31d6c10a6815f227c48a32486109b34ee97aab934077144ace3b59286511a,1553,50,0.16874602,-0.23748192,1.1147966",
  })
  void trainingGivesThePinnedModel(
      String encoder,
      String loss,
      String optimizer,
      String sha256,
      long trainedTokens,
      long evictions,
      float embeddingOfThe,
      float outputWeightOfThe,
      float encoderFirst) {
    Learner learner = train(encoder, loss, optimizer);
    ModelSnapshot s = learner.snapshot(0);
    int the = s.id("the");
    float[] actualValues = {
      s.embeddings().get(the, 0), s.outputWeights().get(the, 0), s.encoderParams()[0].data[0]
    };
    String actualHash = sha256(s);
    long actualTrained = learner.trainedTokens();
    long actualEvictions = learner.vocabulary().evictions();
    String actual =
        String.join(
            ",",
            encoder,
            loss,
            optimizer,
            actualHash,
            Long.toString(actualTrained),
            Long.toString(actualEvictions),
            Float.toString(actualValues[0]),
            Float.toString(actualValues[1]),
            Float.toString(actualValues[2]));
    String why = "\nactual: \"" + actual + "\"";
    assertEquals(trainedTokens, actualTrained, "trained tokens (subsampling)" + why);
    assertEquals(evictions, actualEvictions, "vocabulary evictions" + why);
    assertArrayEquals(
        new float[] {embeddingOfThe, outputWeightOfThe, encoderFirst},
        actualValues,
        1e-6f,
        "E[the][0], W[the][0], first encoder parameter moved beyond 1e-6: the model changed" + why);
    assertEquals(
        sha256,
        actualHash,
        "the values agree within 1e-6 but the bits differ (e.g. reordered float operations)" + why);
  }

  /** The pinned case's learner after the test corpus. */
  static Learner train(String encoder, String loss, String optimizer) {
    Learner learner = new Learner(config(encoder, loss, optimizer));
    List<String> tokens = TestCorpus.tokens();
    for (String token : tokens) learner.learnToken(token);
    return learner;
  }

  /**
   * Fading AdaGrad pinned the same way: adagrad-half-life 100 over the 3,671 test tokens fades
   * every row a lot and renormalises every accumulator at token 3,200.
   */
  @Test
  void fadingAdagradGivesThePinnedModel() {
    Learner learner = new Learner(config("lbl", "ns", "adagrad").with("adagrad-half-life", "100"));
    for (String token : TestCorpus.tokens()) learner.learnToken(token);
    assertEquals(
        "f84504ce01da45715f49af736869e081f53c6a6da84741325f86e6514ec01ce8",
        sha256(learner.snapshot(0)),
        "fading AdaGrad's model changed (update on purpose only)");
  }

  /** The pinned cases' config: small enough that admissions, evictions and slot reuse happen. */
  static ModelConfig config(String encoder, String loss, String optimizer) {
    return TestCorpus.smallModel(encoder, loss, optimizer)
        .with("hidden", "12")
        .with("min-count", "2")
        .with("vocab-size", "300")
        .with("candidates", "400")
        .with("half-life", "2000")
        .with("seed", "2026");
  }

  /** SHA-256 of words, counts and the float bits of every parameter matrix, in snapshot order. */
  static String sha256(ModelSnapshot s) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer word = ByteBuffer.allocate(4);
    for (int id = 0; id < s.size(); id++) {
      md.update(s.word(id).getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(word.clear().putFloat(0, s.count(id)).array());
    }
    FMatrixRMaj[] encoder = s.encoderParams();
    FMatrixRMaj[] all = new FMatrixRMaj[3 + encoder.length];
    all[0] = s.embeddings();
    all[1] = s.outputWeights();
    all[2] = s.outputBias;
    System.arraycopy(encoder, 0, all, 3, encoder.length);
    for (FMatrixRMaj m : all)
      for (int i = 0; i < m.getNumElements(); i++)
        md.update(word.clear().putFloat(0, m.data[i]).array());
    return HexFormat.of().formatHex(md.digest());
  }
}
