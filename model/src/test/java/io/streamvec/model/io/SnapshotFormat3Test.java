package io.streamvec.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.model.Learner;
import io.streamvec.model.ModelConfig;
import io.streamvec.model.ModelSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Records of snapshot format 3 (what the previous build wrote: row blocks and a manifest without
 * slots) stay readable, and a topic that holds them and then format 5 records of the upgraded
 * writer gives the newest model. The format 3 bytes are written here from the documented layout
 * (package-info.java, README), apart from the library's encoders.
 */
class SnapshotFormat3Test {
  private static final int ROWS_PER_BLOCK = 5;

  @Test
  void format3RecordsStayReadableAndFormat5OnesFollowThem() throws IOException {
    ModelConfig c =
        ModelConfig.defaults()
            .with("dim", "8")
            .with("context", "2")
            .with("min-count", "1")
            .with("vocab-size", "60");
    Learner learner = new Learner(c);
    Random rnd = new Random(5);
    for (int i = 0; i < 400; i++)
      learner.learn(List.of("w" + rnd.nextInt(40), "w" + rnd.nextInt(40), "w" + rnd.nextInt(9)));
    ModelSnapshot v1 = learner.snapshot(1);
    List<byte[]> topic = new ArrayList<>(); // record values in offset order
    int blocks = (v1.size() + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;
    long[] versions = new long[blocks];
    int[] crcs = new int[blocks];
    for (int i = 0; i < blocks; i++) {
      byte[] block = format3Block(v1, i);
      versions[i] = 1;
      crcs[i] = (int) SnapshotCodec.crc32c(block, 0, block.length);
      topic.addAll(SnapshotChunks.split(1, block, 300));
    }
    topic.addAll(SnapshotChunks.split(1, format3Manifest(v1, versions, crcs), 300));
    SnapshotAssembler reader = new SnapshotAssembler();
    for (byte[] r : topic) reader.accept(r);
    assertEquals(0, reader.rejectedCount(), reader.lastRejection());
    assertTrue(reader.latest().orElseThrow().sameModelAs(v1), "format 3 materialises exactly");

    for (int i = 0; i < 200; i++) learner.learn(List.of("w" + rnd.nextInt(50), "w1"));
    ModelSnapshot v2 = learner.snapshot(2); // the upgraded writer, restarted: every block again
    new SnapshotPublisher("m", 300).publish(v2, (k, v) -> topic.add(v));
    SnapshotAssembler late = new SnapshotAssembler();
    for (byte[] r : topic) late.accept(r);
    assertEquals(0, late.rejectedCount(), late.lastRejection());
    assertEquals(2, late.latest().orElseThrow().version);
    assertTrue(late.latest().get().sameModelAs(v2));
  }

  /** Row block i, format 3: header, words, E rows, W rows as float32, big-endian. */
  private static byte[] format3Block(ModelSnapshot s, int i) throws IOException {
    int first = i * ROWS_PER_BLOCK, n = Math.min(ROWS_PER_BLOCK, s.size() - first);
    int d = s.dim(), h = s.outputRows().cols;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeBytes("SVRB");
    out.writeInt(3);
    out.writeLong(1);
    for (int x : new int[] {i, first, n, d, h}) out.writeInt(x);
    for (int r = first; r < first + n; r++) string(out, s.word(r));
    for (int r = first; r < first + n; r++)
      for (int k = 0; k < d; k++) out.writeFloat(s.embeddings().get(r, k));
    for (int r = first; r < first + n; r++)
      for (int k = 0; k < h; k++) out.writeFloat(s.outputWeights().get(r, k));
    return bytes.toByteArray();
  }

  /** The manifest, format 3, with no statistics and no mixture. */
  private static byte[] format3Manifest(ModelSnapshot s, long[] versions, int[] crcs)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    Map<String, String> config = s.config.storedMap();
    out.writeInt(config.size());
    for (Map.Entry<String, String> e : config.entrySet()) {
      string(out, e.getKey());
      string(out, e.getValue());
    }
    out.writeLong(s.version);
    out.writeLong(s.tokens);
    out.writeInt(0); // statistics
    out.writeInt(s.size());
    out.writeInt(ROWS_PER_BLOCK);
    out.writeInt(versions.length);
    for (int i = 0; i < versions.length; i++) {
      out.writeLong(versions[i]);
      out.writeInt(crcs[i]);
    }
    for (int i = 0; i < s.size(); i++) out.writeFloat(s.count(i));
    for (int i = 0; i < s.size(); i++) out.writeFloat(s.outputBias.get(i, 0));
    out.writeInt(s.encoderNames().length);
    for (int k = 0; k < s.encoderNames().length; k++) {
      string(out, s.encoderNames()[k]);
      var m = s.encoderParams()[k];
      out.writeInt(m.numRows);
      out.writeInt(m.numCols);
      for (int x = 0; x < m.numRows * m.numCols; x++) out.writeFloat(m.data[x]);
    }
    out.writeInt(0); // no mixture
    byte[] body = bytes.toByteArray();
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    DataOutputStream w = new DataOutputStream(whole);
    w.writeBytes("SVSN");
    w.writeInt(3);
    w.writeInt(12 + body.length + 4);
    w.write(body);
    byte[] all = whole.toByteArray();
    w.writeInt((int) SnapshotCodec.crc32c(all, 0, all.length));
    return whole.toByteArray();
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }
}
