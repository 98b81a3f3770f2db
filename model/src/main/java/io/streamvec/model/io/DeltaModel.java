package io.streamvec.model.io;

import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.RowBlocks;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.ejml.data.FMatrixRMaj;

/**
 * The reader's side of snapshot formats 3 and 5: keeps the row blocks that arrived since the model
 * was last materialised, per block and slot, and when a manifest arrives whose blocks are all at
 * hand (received, or unchanged in the current model: same slot, version and CRC32C), builds the
 * complete model. A manifest that lacks blocks (a reader that started in the middle) waits for
 * them; a newer manifest replaces it. Blocks of a version whose manifest has not come (still being
 * written over several transactions, or abandoned by a writer that died) wait beside the blocks the
 * complete model uses, which sit in the other slot, so no model ever mixes two versions. The new
 * model holds the decoded arrays of the blocks that arrived and shares the current model's arrays
 * of the others ({@link RowBlocks}), so following a version allocates only what it changed, and a
 * version held by the query side keeps only its own changed blocks beside the newer one. Not
 * thread-safe; fed by {@link SnapshotAssembler}.
 */
final class DeltaModel {
  private record Held(SnapshotBlocks.RowBlock block, int crc) {}

  private final Map<Long, Held> pending = new HashMap<>(); // by block and slot (key())
  private SnapshotBlocks.Manifest waiting; // newest manifest not yet materialised
  private ModelSnapshot current; // materialised from v2 records (null: none yet)
  private int currentRowsPerBlock;
  private long[] currentVersions = new long[0];
  private int[] currentCrcs = new int[0];
  private int[] currentSlots = new int[0];

  private static long key(int index, int slot) {
    return ((long) index << 2) | (slot + 1);
  }

  /** A row block arrived; returns the model if it completed the waiting manifest. */
  ModelSnapshot block(SnapshotBlocks.RowBlock b, int crc) throws InvalidSnapshotException {
    // a slot is rewritten in growing versions; a writer restarted after a crash rewrites the
    // version it did not finish, so the later of two equal versions wins
    Held old = pending.get(key(b.index(), b.slot()));
    if (old == null || old.block().version() <= b.version())
      pending.put(key(b.index(), b.slot()), new Held(b, crc));
    return waiting == null ? null : tryMaterialise(waiting);
  }

  /** A manifest arrived; returns the model if all its blocks are at hand. */
  ModelSnapshot manifest(SnapshotBlocks.Manifest m) throws InvalidSnapshotException {
    if (waiting == null || m.version() > waiting.version()) waiting = m;
    return tryMaterialise(waiting);
  }

  boolean waiting() {
    return waiting != null;
  }

  private boolean inCurrent(SnapshotBlocks.Manifest m, int i) {
    return current != null
        && currentRowsPerBlock == m.rowsPerBlock()
        && current.dim() == m.config().dim
        && current.outputRows().cols == m.config().hiddenSize()
        && i < currentVersions.length
        && currentVersions[i] == m.blockVersions()[i]
        && currentCrcs[i] == m.blockCrcs()[i]
        && currentSlots[i] == m.blockSlots()[i];
  }

  private Held received(SnapshotBlocks.Manifest m, int i) {
    Held h = pending.get(key(i, m.blockSlots()[i]));
    return h != null && h.block().version() == m.blockVersions()[i] && h.crc() == m.blockCrcs()[i]
        ? h
        : null;
  }

  private ModelSnapshot tryMaterialise(SnapshotBlocks.Manifest m) throws InvalidSnapshotException {
    int b = m.blockVersions().length;
    for (int i = 0; i < b; i++) if (!inCurrent(m, i) && received(m, i) == null) return null;
    int v = m.size(), r = m.rowsPerBlock(), d = m.config().dim, h = m.config().hiddenSize();
    String[] words = new String[v];
    float[][] e = new float[b][], w = new float[b][];
    for (int i = 0; i < b; i++) {
      int first = i * r, n = Math.min(r, v - first);
      Held held = received(m, i);
      if (held == null) { // unchanged: the current model's block arrays, shared, not copied
        for (int k = 0; k < n; k++) words[first + k] = current.word(first + k);
        e[i] = current.embeddingRows().block(i);
        w[i] = current.outputRows().block(i);
        continue;
      }
      SnapshotBlocks.RowBlock rb = held.block();
      if (rb.firstRow() != first || rb.words().length != n || rb.d() != d || rb.h() != h)
        throw new InvalidSnapshotException(
            "snapshot row block " + i + " does not fit manifest version " + m.version());
      System.arraycopy(rb.words(), 0, words, first, n);
      e[i] = rb.e();
      w[i] = rb.w();
    }
    FMatrixRMaj bias = new FMatrixRMaj(v, 1);
    System.arraycopy(m.bias(), 0, bias.data, 0, v);
    ModelSnapshot s;
    try {
      s =
          new ModelSnapshot(
              m.version(),
              m.tokens(),
              m.config(),
              words,
              m.counts(),
              new RowBlocks(v, d, r, e),
              new RowBlocks(v, h, r, w),
              bias,
              m.encoderNames(),
              m.encoderParams(),
              m.stats(),
              m.mixture());
    } catch (IllegalArgumentException ex) {
      throw new InvalidSnapshotException("snapshot is inconsistent: " + ex.getMessage(), ex);
    }
    current = s;
    currentRowsPerBlock = r;
    currentVersions = m.blockVersions().clone();
    currentCrcs = m.blockCrcs().clone();
    currentSlots = m.blockSlots().clone();
    waiting = null;
    // blocks not newer than this model are in it or superseded (a newer manifest uses this
    // model's blocks or blocks of its own version)
    for (Iterator<Held> it = pending.values().iterator(); it.hasNext(); )
      if (it.next().block().version() <= m.version()) it.remove();
    return s;
  }
}
