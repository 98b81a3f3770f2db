package io.streamvec.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.snapshots.SnapshotTopicFixture;
import io.streamvec.app.testing.ProcessRunner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.query.EmbeddingQueries;
import io.streamvec.model.query.WordScore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The word2vec file that `snapshot export` writes loads in gensim (Debian python3-gensim, on the
 * system interpreter /usr/bin/python3), whose most_similar gives the same neighbours, in the same
 * order and with the same cosines, as our own queries on the snapshot.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GensimExportTest {
  static final String PYTHON = "/usr/bin/python3";
  static final String SCRIPT =
      """
      import sys
      from gensim.models import KeyedVectors
      kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=(sys.argv[2] == "bin"))
      print("vocab", len(kv.index_to_key), kv.vector_size)
      for w in sys.argv[3:]:
          # our queries never return <unk> and </s>; ask for two more and drop them
          ns = [(n, s) for n, s in kv.most_similar(w, topn=7) if n not in ("<unk>", "</s>")][:5]
          print(w, " ".join("%s:%.9f" % (n, s) for n, s in ns))
      """;
  static final List<String> PROBES = List.of("king", "water", "lion", "gold", "the");
  @TempDir Path dir;

  @Test
  void gensimLoadsTheExportAndFindsTheSameNeighbours() throws Exception {
    assertTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is missing");
    ModelSnapshot model =
        SnapshotTopicFixture.train(
            SnapshotTopicFixture.smallConfig(21), SnapshotTopicFixture.text(2000, 8), 3);
    String topic = "gensim-snaps";
    TestKafka.broker().createTopic(topic, 1, SnapshotTopicFixture.SNAPSHOTS_TOPIC_CONFIG);
    try (KafkaProducer<String, byte[]> p =
        SnapshotTopicFixture.transactionalProducer(TestKafka.servers(), "gensim-writer")) {
      SnapshotTopicFixture.publish(p, topic, "default", model, 16_384, true);
    }
    EmbeddingQueries ours = new EmbeddingQueries(model);
    for (String format : List.of("word2vec", "word2vec-bin")) {
      Path file = dir.resolve("model." + format);
      SnapshotCommandTest.Run r =
          SnapshotCommandTest.snapshot(
              "export",
              "--set",
              "snapshots.topic=" + topic,
              "--format",
              format,
              "--output",
              file.toString());
      assertEquals(0, r.code(), r.err());

      Path script = Files.writeString(dir.resolve("neighbours.py"), SCRIPT);
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  PYTHON,
                  script.toString(),
                  file.toString(),
                  format.endsWith("bin") ? "bin" : "text"));
      cmd.addAll(PROBES);
      ProcessRunner.Result gensim =
          ProcessRunner.command(cmd).separateStderr().run(Duration.ofSeconds(120));
      assertEquals(
          0, gensim.exitCode(), "gensim failed (is python3-gensim installed?):\n" + gensim.tail());
      String out = gensim.out();

      String[] lines = out.strip().split("\n");
      assertEquals("vocab " + model.size() + " " + model.dim(), lines[0], format);
      for (int i = 0; i < PROBES.size(); i++) {
        String[] parts = lines[i + 1].split(" ");
        assertEquals(PROBES.get(i), parts[0]);
        List<WordScore> want = ours.neighbours(PROBES.get(i), 5);
        assertEquals(want.size(), parts.length - 1, lines[i + 1]);
        for (int j = 0; j < want.size(); j++) {
          String[] ws = parts[j + 1].split(":");
          assertEquals(
              want.get(j).word(),
              ws[0],
              format + ": neighbour " + j + " of " + PROBES.get(i) + " (" + lines[i + 1] + ")");
          assertEquals(
              want.get(j).score(),
              Double.parseDouble(ws[1]),
              1e-5,
              format + ": cosine of " + ws[0]);
        }
      }
    }
  }
}
