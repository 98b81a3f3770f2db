package io.streamvec.model;

import io.streamvec.model.text.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed text of the reference and golden tests: chapters 1 and 2 of Jane Austen's "Sense and
 * Sensibility" (1811, public domain; 3,502 words), one record per paragraph as a producer would
 * send it, tokenized by the project's {@link Tokenizer}.
 */
final class TestCorpus {
  static final String RESOURCE = "/corpus/sense-and-sensibility-1-2.txt";

  private TestCorpus() {}

  /** The small model both tests train on this text: d=16, L=3, noise rebuilt every 1,000 tokens. */
  static ModelConfig smallModel(String encoder, String loss, String optimizer) {
    return ModelConfig.defaults()
        .with("encoder", encoder)
        .with("loss", loss)
        .with("optimizer", optimizer)
        .with("dim", "16")
        .with("context", "3")
        .with("noise-refresh", "1000");
  }

  /** All tokens of the text, paragraph after paragraph (each ends with &lt;/s&gt;). */
  static List<String> tokens() {
    String text;
    try (InputStream in = TestCorpus.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException("missing test resource " + RESOURCE);
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Tokenizer tokenizer = new Tokenizer(1_000_000);
    List<String> tokens = new ArrayList<>();
    for (String paragraph : text.split("\n\\s*\n")) tokens.addAll(tokenizer.tokenize(paragraph));
    return tokens;
  }
}
