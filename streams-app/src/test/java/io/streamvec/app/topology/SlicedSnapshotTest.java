package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.app.TestTexts;
import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.status.TrainingStatus;
import io.streamvec.model.Learner;
import io.streamvec.model.ModelSnapshot;
import io.streamvec.model.io.SnapshotAssembler;
import io.streamvec.model.text.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Snapshot versions bigger than snapshot.slice.bytes, written by the training processor over
 * several commits beside checkpoint slices. The processor runs on a mock context; a commit is what
 * the stores and the snapshots topic hold at that moment, and a crash after any commit restarts a
 * new processor from them. Checked against a learner trained apart on the same lines: every version
 * a reader of the topic completes is exactly the model at its tokens (never a mix of two versions),
 * a late reader of the compacted topic gets the newest complete version after every commit, and the
 * processor restarted after a crash between slices ends with exactly the uninterrupted model.
 */
class SlicedSnapshotTest {
  private static final int SLICE = 4_096, CHUNK = 1_000;
  private final TrainerSettings settings;
  private final List<String> lines = tokenLines(TestTexts.generated(30_000, 5));

  SlicedSnapshotTest() {
    Map<String, String> m = new HashMap<>(TestTexts.smallModel());
    m.put(AppKeys.SNAPSHOT_SLICE_BYTES, String.valueOf(SLICE));
    m.put(AppKeys.SNAPSHOT_CHUNK_BYTES, String.valueOf(CHUNK));
    m.put(AppKeys.SNAPSHOT_INTERVAL_TOKENS, "2500");
    m.put(AppKeys.CHECKPOINT_INTERVAL_RECORDS, "70");
    m.put(AppKeys.CHECKPOINT_SLICE_BYTES, String.valueOf(SLICE));
    m.put(AppKeys.IDLE_SNAPSHOT_MS, "1000");
    m.put(AppKeys.LEARNER_QUEUE_TOKENS, "0");
    settings = TrainerSettings.from(AppConfig.of(m));
  }

  /** What one commit left: the stores, the topic's length and the lines processed. */
  private record Commit(Map<String, Map<Object, byte[]>> stores, int topicRecords, int lines) {}

  /** A snapshots-topic record. */
  private record Rec(String key, byte[] value) {}

  /** A processor over its own in-memory stores, the topic it writes and its commits. */
  private final class Run {
    final MockProcessorContext<String, Published> context = new MockProcessorContext<>();
    final Map<String, KeyValueStore<Object, byte[]>> stores = new LinkedHashMap<>();
    final List<Rec> topic;
    final List<Commit> commits = new ArrayList<>();
    final TrainingProcessor processor;
    int processed;
    long maxTransactionBytes;

    Run(Commit from, List<Rec> topicSoFar) {
      topic = new ArrayList<>(topicSoFar);
      processed = from == null ? 0 : from.lines();
      context.setCurrentSystemTimeMs(1_000_000);
      for (String name :
          List.of(
              StreamvecTopology.ROWS_STORE,
              StreamvecTopology.GLOBAL_STORE,
              StreamvecTopology.REPLAY_STORE)) {
        KeyValueStore<Object, byte[]> s = store(name);
        s.init(context.getStateStoreContext(), s);
        if (from != null) from.stores().get(name).forEach(s::put);
        context.addStateStore(s);
        stores.put(name, s);
      }
      processor = new TrainingProcessor(settings, new TrainingStatus("default"), (model, s) -> {});
      processor.init(context);
    }

    /** Learns the rest of the lines, committing as Kafka Streams would, then idles. */
    void toTheEnd() {
      while (processed < lines.size()) {
        processor.process(new Record<>("default", TokenLine.parse(lines.get(processed++)), 0L));
        if (context.committed() || processed % 7 == 0) commit(); // commit.interval
        if (processed % 3 == 0) {
          punctuator(TrainingProcessor.SLICE_EVERY_MS).punctuate(now());
          if (context.committed()) commit(); // asked for after a slice
        }
      }
      context.setCurrentSystemTimeMs(now() + 60_000);
      punctuator(settings.tickMs()).punctuate(now()); // the idle snapshot
      commit();
      for (int i = 0; i < 1_000; i++) {
        punctuator(TrainingProcessor.SLICE_EVERY_MS).punctuate(now());
        commit();
      }
    }

    void commit() {
      long bytes = 0;
      for (var f : context.forwarded()) {
        if (!f.record().value().snapshotChunk()) continue;
        topic.add(new Rec(f.record().key(), f.record().value().value()));
        bytes += f.record().value().value().length;
      }
      maxTransactionBytes = Math.max(maxTransactionBytes, bytes);
      context.resetForwards();
      context.resetCommit();
      Map<String, Map<Object, byte[]>> copy = new HashMap<>();
      stores.forEach((name, s) -> copy.put(name, all(s)));
      commits.add(new Commit(copy, topic.size(), processed));
    }

    long now() {
      return context.currentSystemTimeMs();
    }

    org.apache.kafka.streams.processor.Punctuator punctuator(long intervalMs) {
      return context.scheduledPunctuators().stream()
          .filter(p -> p.getInterval().equals(Duration.ofMillis(intervalMs)))
          .findFirst()
          .orElseThrow()
          .getPunctuator();
    }
  }

  @Test
  void aCrashBetweenSnapshotSlicesLeavesReadersTheLastCompleteVersionAndRestoresExactly() {
    Run straight = new Run(null, List.of());
    straight.toTheEnd();
    ModelSnapshot finalModel = reference(lines.size()).snapshot(0);
    List<Integer> midVersion = checkReaders(straight, finalModel, "uninterrupted");
    assertTrue(midVersion.size() > 30, "versions span several commits: " + midVersion.size());
    // crashes at commits inside versions, spread over the run; the restarted processor's topic
    // continues the one committed before the crash
    for (int i = 1; i <= 4; i++) {
      int k = midVersion.get(i * midVersion.size() / 5);
      Commit c = straight.commits.get(k);
      Run restarted = new Run(c, straight.topic.subList(0, c.topicRecords()));
      restarted.toTheEnd();
      checkReaders(restarted, finalModel, "crash after commit " + k);
    }
  }

  /**
   * Reads run's topic as a follower and checks every version it completes against the reference
   * learner, each transaction's size, the end (exactly finalModel) and, at every commit that leaves
   * a version half written, a late reader of the compacted topic (the follower's newest version).
   * Returns those commits.
   */
  private List<Integer> checkReaders(Run run, ModelSnapshot finalModel, String what) {
    // a transaction carries at most two slices (the end of one version, the start of the next)
    assertTrue(
        run.maxTransactionBytes <= 2 * (SLICE + CHUNK),
        what + ": a transaction of " + run.maxTransactionBytes + " snapshot bytes");
    List<Integer> midVersion = new ArrayList<>();
    SnapshotAssembler follower = new SnapshotAssembler();
    Reference ref = new Reference();
    int read = 0, versions = 0;
    for (int k = 0; k < run.commits.size(); k++) {
      Commit c = run.commits.get(k);
      for (; read < c.topicRecords(); read++) {
        var done = follower.accept(run.topic.get(read).value());
        if (done.isPresent()) {
          assertTrue(ref.at(done.get().tokens).sameModelAs(done.get()), what + ": mixed version");
          versions++;
        }
      }
      if (follower.partialCount() > 0 || pendingBlocks(run.topic, c, follower)) {
        midVersion.add(k);
        if (follower.latest().isPresent()) {
          ModelSnapshot late = lateReader(compact(run.topic.subList(0, c.topicRecords())));
          assertEquals(follower.latest().get().version, late.version, what);
          assertTrue(late.sameModelAs(follower.latest().get()), what + ": late reader at " + k);
        }
      }
    }
    assertTrue(versions >= 8, what + ": versions " + versions);
    assertTrue(follower.latest().orElseThrow().sameModelAs(finalModel), what + ": the end");
    assertTrue(lateReader(compact(run.topic)).sameModelAs(finalModel), what + ": late at the end");
    return midVersion;
  }

  /** Whether the topic up to commit c holds blocks of a version newer than the follower's. */
  private static boolean pendingBlocks(List<Rec> topic, Commit c, SnapshotAssembler follower) {
    long latest = follower.latest().map(s -> s.version).orElse(0L);
    for (int i = c.topicRecords() - 1; i >= 0; i--) {
      Rec r = topic.get(i);
      if (r.key().contains("/m.")) return false; // a manifest: its version completed
      if (chunkVersion(r) > latest) return true;
    }
    return false;
  }

  private static long chunkVersion(Rec r) {
    try {
      return io.streamvec.model.io.SnapshotChunks.parse(r.value()).snapshotVersion();
    } catch (io.streamvec.model.io.InvalidSnapshotException e) {
      throw new AssertionError(e);
    }
  }

  /** A learner trained apart on the lines, walked forward to the tokens asked for. */
  private final class Reference {
    final Learner learner = new Learner(settings.model());
    int line;

    ModelSnapshot at(long tokens) {
      while (learner.tokens() < tokens) learner.learn(List.of(lines.get(line++).split(" ")));
      assertEquals(tokens, learner.tokens(), "a snapshot between two lines");
      return learner.snapshot(0);
    }
  }

  private Learner reference(int n) {
    Learner l = new Learner(settings.model());
    for (String line : lines.subList(0, n)) l.learn(List.of(line.split(" ")));
    return l;
  }

  private static ModelSnapshot lateReader(List<Rec> topic) {
    SnapshotAssembler a = new SnapshotAssembler();
    for (Rec r : topic) a.accept(r.value());
    assertEquals(0, a.rejectedCount(), a.lastRejection());
    return a.latest().orElseThrow(() -> new AssertionError("no complete version"));
  }

  /** What log compaction leaves: the newest record per key, in offset order. */
  private static List<Rec> compact(List<Rec> log) {
    Map<String, Integer> newest = new HashMap<>();
    for (int i = 0; i < log.size(); i++) newest.put(log.get(i).key(), i);
    List<Rec> out = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) if (newest.get(log.get(i).key()) == i) out.add(log.get(i));
    return out;
  }

  private static List<String> tokenLines(List<String> texts) {
    Tokenizer t = new Tokenizer(100_000);
    List<String> out = new ArrayList<>();
    for (String text : texts) out.add(String.join(" ", t.tokenize(text)));
    return out;
  }

  private static Map<Object, byte[]> all(KeyValueStore<Object, byte[]> store) {
    Map<Object, byte[]> m = new HashMap<>();
    try (KeyValueIterator<Object, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<Object, byte[]> e = it.next();
        m.put(e.key, e.value);
      }
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static KeyValueStore<Object, byte[]> store(String name) {
    Serde<?> keys =
        name.equals(StreamvecTopology.ROWS_STORE)
            ? Serdes.Integer()
            : name.equals(StreamvecTopology.GLOBAL_STORE) ? Serdes.String() : Serdes.Long();
    return Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(name), (Serde<Object>) keys, Serdes.ByteArray())
        .withLoggingDisabled()
        .build();
  }
}
