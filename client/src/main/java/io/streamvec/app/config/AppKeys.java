package io.streamvec.app.config;

import java.util.List;

/** The app's own configuration keys with their defaults, documentation and validation. */
public final class AppKeys {
  private AppKeys() {}

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String APPLICATION_ID = "application.id";
  public static final String MODEL_ID = "model.id";
  public static final String INPUT_TOPICS = "input.topics";
  public static final String MODELS = "models";
  public static final String MODEL_ROUTING = "model.routing";
  public static final String MODELS_ADMIT = "models.admit";
  public static final String MODELS_MAX = "models.max";
  public static final String MODEL_PARTITIONS = "model.partitions";
  public static final String INPUT_PARTITIONS = "input.partitions";
  public static final String SNAPSHOTS_TOPIC = "snapshots.topic";
  public static final String METRICS_TOPIC = "metrics.topic";
  public static final String DLQ_TOPIC = "dlq.topic";
  public static final String REPLICATION_FACTOR = "replication.factor";
  public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
  public static final String STANDBY_REPLICAS = "standby.replicas";
  public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
  public static final String HEARTBEAT_INTERVAL_MS = "heartbeat.interval.ms";
  public static final String TRANSACTION_TIMEOUT_MS = "transaction.timeout.ms";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String STATE_DIR = "state.dir";
  public static final String STATE_MEMORY_BYTES = "state.memory.bytes";
  public static final String DEFAULT_STATE_MEMORY_BYTES = "67108864";
  public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
  public static final String MAX_RECORD_BYTES = "max.record.bytes";
  public static final String CHECKPOINT_INTERVAL_RECORDS = "checkpoint.interval.records";
  public static final String CHECKPOINT_INTERVAL_TOKENS = "checkpoint.interval.tokens";
  public static final String CHECKPOINT_BYTES_PER_TOKEN = "checkpoint.bytes-per-token";
  public static final String CHECKPOINT_SLICE_BYTES = "checkpoint.slice.bytes";
  public static final String DEFAULT_CHECKPOINT_SLICE_BYTES = "8388608";
  public static final String SNAPSHOT_INTERVAL_TOKENS = "snapshot.interval.tokens";
  public static final String SNAPSHOT_INTERVAL_MS = "snapshot.interval.ms";
  public static final String SNAPSHOT_CHUNK_BYTES = "snapshot.chunk.bytes";
  public static final String SNAPSHOT_ENCODING = "snapshot.encoding";
  public static final String SNAPSHOT_SLICE_BYTES = "snapshot.slice.bytes";
  public static final String DEFAULT_SNAPSHOT_SLICE_BYTES = "8388608";
  public static final String IDLE_SNAPSHOT_MS = "idle.snapshot.ms";
  public static final String METRICS_INTERVAL_MS = "metrics.interval.ms";
  public static final String METRICS_HALF_LIFE_TOKENS = "metrics.half-life.tokens";
  public static final String HISTORY_SNAPSHOTS = "history.snapshots";
  public static final String HISTORY_WORDS = "history.words";
  public static final String HISTORY_TOPIC = "history.topic";
  public static final String HISTORY_RETENTION_MS = "history.retention.ms";
  public static final String DRIFT_DAMPING_COUNT = "drift.damping.count";
  public static final String LEARNER_QUEUE_TOKENS = "learner.queue.tokens";
  public static final String LEARNER_THREADS = "learner.threads";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_HOST = "http.host";
  public static final String METRICS_PATH = "metrics.path";

  enum Type {
    STRING,
    NONEMPTY,
    TOPICS,
    TOPIC_OR_EMPTY,
    INT_POSITIVE,
    INT_NONNEGATIVE,
    INT_PORT,
    LONG_POSITIVE,
    GUARANTEE,
    HOSTPORTS,
    MODEL_NAMES,
    ROUTING,
    BOOLEAN,
    ENCODING,
    LEARNER_THREADS
  }

  /** One key: name, default, documentation, and how its value is checked. */
  public record Key(String name, String defaultValue, String doc, Type type) {
    /** v as an int, or the error saying it is not what (e.g. "a port number"). */
    private int wholeNumber(String v, String what, String hint) {
      try {
        return Integer.parseInt(v.trim());
      } catch (RuntimeException e) {
        throw new ConfigException("config key '" + name + "' = '" + v + "' is not " + what + hint);
      }
    }

    void validate(String v) {
      String hint =
          " (" + doc + "; default " + (defaultValue.isEmpty() ? "empty" : defaultValue) + ")";
      switch (type) {
        case STRING -> {}
        case NONEMPTY -> {
          if (v == null || v.isBlank())
            throw new ConfigException("config key '" + name + "' must not be empty" + hint);
        }
        case TOPICS -> {
          if (v == null || v.isBlank())
            throw new ConfigException(
                "config key '" + name + "' must name at least one topic" + hint);
          for (String t : v.split(",")) {
            String s = t.trim();
            if (!s.matches("[A-Za-z0-9._-]{1,249}"))
              throw new ConfigException(
                  "config key '"
                      + name
                      + "': '"
                      + s
                      + "' is not a valid Kafka topic name (letters, digits, '.', '_', '-')"
                      + hint);
          }
        }
        case TOPIC_OR_EMPTY -> {
          if (v != null && !v.isBlank() && !v.trim().matches("[A-Za-z0-9._-]{1,249}"))
            throw new ConfigException(
                "config key '"
                    + name
                    + "': '"
                    + v.trim()
                    + "' is not a valid Kafka topic name (letters, digits, '.', '_', '-')"
                    + hint);
        }
        case HOSTPORTS -> {
          if (v == null || v.isBlank())
            throw new ConfigException(
                "config key '" + name + "' must list host:port pairs, e.g. 127.0.0.1:9092" + hint);
          for (String t : v.split(","))
            if (!t.trim().matches(".+:[0-9]{1,5}"))
              throw new ConfigException(
                  "config key '" + name + "': '" + t.trim() + "' is not host:port" + hint);
        }
        case INT_POSITIVE, LONG_POSITIVE -> {
          long x;
          try {
            x = Long.parseLong(v.trim());
          } catch (RuntimeException e) {
            throw new ConfigException(
                "config key '" + name + "' = '" + v + "' is not a whole number" + hint);
          }
          if (x <= 0 || (type == Type.INT_POSITIVE && x > Integer.MAX_VALUE))
            throw new ConfigException(
                "config key '" + name + "' = '" + v + "' must be a positive number" + hint);
        }
        case INT_NONNEGATIVE -> {
          int x = wholeNumber(v, "a whole number", hint);
          if (x < 0)
            throw new ConfigException(
                "config key '" + name + "' = '" + v + "' must be 0 or more" + hint);
        }
        case LEARNER_THREADS -> {
          int x = wholeNumber(v, "a whole number", hint);
          if (x < 1 || x > 2)
            throw new ConfigException(
                "config key '"
                    + name
                    + "' = "
                    + x
                    + ": a model learns on 1 or 2 threads (2 runs its model steps on a second"
                    + " thread; more are not split further), so use 1 or 2"
                    + hint);
        }
        case INT_PORT -> {
          int x = wholeNumber(v, "a port number", hint);
          if (x < -1 || x > 65535)
            throw new ConfigException(
                "config key '"
                    + name
                    + "' = '"
                    + v
                    + "' must be a port 0..65535 (0 = any free port, -1 = off)"
                    + hint);
        }
        case MODEL_NAMES -> {
          for (String t : v.split(",")) {
            String s = t.trim();
            if (!s.isEmpty() && !ModelsConfig.validName(s))
              throw new ConfigException(
                  "config key '"
                      + name
                      + "': '"
                      + s
                      + "' is not a valid model name ("
                      + ModelsConfig.NAME_RULE
                      + ")"
                      + hint);
          }
        }
        case ROUTING -> {
          if (!v.equals("topic") && !v.equals("key"))
            throw new ConfigException(
                "config key '" + name + "' = '" + v + "' must be topic or key" + hint);
        }
        case ENCODING -> {
          if (!List.of("float32", "float16", "bfloat16", "int8").contains(v))
            throw new ConfigException(
                "config key '"
                    + name
                    + "' = '"
                    + v
                    + "' must be float32, float16, bfloat16 or int8"
                    + hint);
        }
        case BOOLEAN -> {
          if (!v.equals("true") && !v.equals("false"))
            throw new ConfigException(
                "config key '" + name + "' = '" + v + "' must be true or false" + hint);
        }
        case GUARANTEE -> {
          if (v.equals("at_least_once"))
            throw new ConfigException(
                "config key '"
                    + name
                    + "' = 'at_least_once' is not supported: the model's checkpoint, its replay"
                    + " log and the input offsets must commit together. Under at_least_once a"
                    + " crash makes the app read again records whose lines the replay log already"
                    + " holds (they would be learned twice) and can leave a checkpoint half"
                    + " written (rows of one checkpoint, replay log of another), so the restored"
                    + " model would be neither the uninterrupted one nor any earlier state of it."
                    + " Use exactly_once_v2 (the default; needs Kafka brokers 2.5 or newer)"
                    + hint);
          if (!v.equals("exactly_once_v2"))
            throw new ConfigException(
                "config key '" + name + "' = '" + v + "' must be exactly_once_v2" + hint);
        }
      }
    }
  }

  public static final List<Key> KEYS =
      List.of(
          new Key(
              BOOTSTRAP_SERVERS, "127.0.0.1:9092", "Kafka brokers to connect to", Type.HOSTPORTS),
          new Key(
              APPLICATION_ID,
              "streamvec",
              "Kafka Streams application id (consumer group, internal topic prefix)",
              Type.NONEMPTY),
          new Key(
              MODEL_ID,
              "default",
              "name of the model; key of its records on the snapshots and metrics topics",
              Type.NONEMPTY),
          new Key(
              INPUT_TOPICS,
              "text",
              "comma-separated topics of UTF-8 text to learn from (any number of partitions)",
              Type.TOPICS),
          new Key(
              MODELS,
              "",
              "comma-separated names of further models this app trains beside model.id, each the single writer of its own state (letters, digits, '_', '-'); per model: model.<name>.topics (topic routing) and any model key as model.<name>.<key> (e.g. model.news.dim=50), defaults from the model keys. Empty = one model, model.id",
              Type.MODEL_NAMES),
          new Key(
              MODEL_ROUTING,
              "topic",
              "how a record finds its model: topic (model.<name>.topics lists a model's topics; every other input topic trains model.id) or key (the record key names the model: one shared topic for many tenants; a key naming no model of models/model.id goes to the DLQ, reason unknown-model)",
              Type.ROUTING),
          new Key(
              MODELS_ADMIT,
              "false",
              "with model.routing=key: true = a key naming a new model starts that model on first sight (with the default model keys), at most models.max of them per partition of the model topic",
              Type.BOOLEAN),
          new Key(
              MODELS_MAX,
              "1000",
              "most models one partition of the model topic (one training task) holds; a record that would start one more goes to the DLQ (reason models-max). Bounds the memory of an instance: about models.max x the memory of one model per task it runs",
              Type.INT_POSITIVE),
          new Key(
              MODEL_PARTITIONS,
              "1",
              "partitions of the internal model topic: models are spread over them by name, and Kafka Streams spreads the partitions over instances and stream threads (kafka.num.stream.threads); a model's records keep their order in its partition. Fixed for an application.id: its changelogs are created with this many partitions",
              Type.INT_POSITIVE),
          new Key(
              INPUT_PARTITIONS,
              "1",
              "partitions for input topics the app creates when they are missing",
              Type.INT_POSITIVE),
          new Key(
              SNAPSHOTS_TOPIC,
              "snapshots",
              "topic of model snapshots (compacted, chunked records)",
              Type.TOPICS),
          new Key(
              METRICS_TOPIC,
              "metrics",
              "topic of one JSON training-metrics record per interval",
              Type.TOPICS),
          new Key(
              DLQ_TOPIC,
              "dlq",
              "dead-letter topic: input records that cannot be used, with the reason in headers",
              Type.TOPICS),
          new Key(
              REPLICATION_FACTOR,
              "1",
              "replication factor of the topics the app creates, its internal topics included",
              Type.INT_POSITIVE),
          new Key(
              MIN_INSYNC_REPLICAS,
              "0",
              "min.insync.replicas of the topics the app creates, its internal topics included: a write (acks=all) succeeds only while this many replicas have it, so a broker loss loses nothing; at most replication.factor (e.g. 2 with replication.factor=3); 0 = the broker's default",
              Type.INT_NONNEGATIVE),
          new Key(
              STANDBY_REPLICAS,
              "0",
              "Kafka Streams num.standby.replicas: with two or more instances, this many others keep a warm copy of the model's stores, so one takes over a dead instance's model without restoring it from the changelogs (1 is enough for most)",
              Type.INT_NONNEGATIVE),
          new Key(
              SESSION_TIMEOUT_MS,
              "6000",
              "consumer group session timeout: how long an instance that died without a word (SIGKILL, machine loss) keeps its model before another instance takes over; within the broker's group.min/max.session.timeout.ms (6000..1800000 by default). Lower = faster takeover, but a pause longer than this (GC, an overloaded machine) moves the model needlessly",
              Type.INT_POSITIVE),
          new Key(
              HEARTBEAT_INTERVAL_MS,
              "1500",
              "consumer group heartbeat interval: how soon the survivors hear of a rebalance; below session.timeout.ms (a third of it or less)",
              Type.INT_POSITIVE),
          new Key(
              TRANSACTION_TIMEOUT_MS,
              "10000",
              "exactly_once_v2 producer transaction timeout: no other instance can continue a dead instance's model before the broker has aborted its open transaction, this long after it began (plus up to the broker's transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s by default, 1 s on ./streamvec broker); above commit.interval.ms and the time to write a checkpoint slice and a snapshot slice (checkpoint.slice.bytes, snapshot.slice.bytes), or the broker aborts healthy transactions",
              Type.INT_POSITIVE),
          new Key(
              PROCESSING_GUARANTEE,
              "exactly_once_v2",
              "exactly_once_v2, the only guarantee under which a restored model is the uninterrupted one (at_least_once is refused)",
              Type.GUARANTEE),
          new Key(
              STATE_DIR,
              "",
              "Kafka Streams state directory (empty = .streamvec/state/<application.id> under the working directory)",
              Type.STRING),
          new Key(
              STATE_MEMORY_BYTES,
              DEFAULT_STATE_MEMORY_BYTES,
              "native memory of all the instance's RocksDB state stores together: one block cache of this size, shared by every store and task, that also holds their index and filter blocks and is charged for their memtables (at most half of it); Kafka Streams' own default is a 50 MB cache and up to 48 MB of memtables per store and task. At least 4 MiB; ignored when kafka.rocksdb.config.setter names another setter",
              Type.LONG_POSITIVE),
          new Key(
              COMMIT_INTERVAL_MS,
              "1000",
              "Kafka Streams commit interval: how much work a crash can force to be redone",
              Type.INT_POSITIVE),
          new Key(
              MAX_RECORD_BYTES,
              "1000000",
              "input records larger than this go to the DLQ (reason too-large)",
              Type.INT_POSITIVE),
          new Key(
              CHECKPOINT_INTERVAL_TOKENS,
              "4000000",
              "write the model's changed rows and global state (about the whole model: ~0.8 kB per word at dim 100, 2.4 kB at dim 300) to the logged state stores every this many tokens, or later for big models (checkpoint.bytes-per-token); a restore replays about this many (4M tokens: about 10-15 s). Smaller = faster restore, more bytes to the broker (a 60k-word model writes ~50 MB per checkpoint)",
              Type.LONG_POSITIVE),
          new Key(
              CHECKPOINT_INTERVAL_RECORDS,
              "200000",
              "and at least every this many input records (bounds the replay log when records are very short); scaled like checkpoint.interval.tokens",
              Type.INT_POSITIVE),
          new Key(
              CHECKPOINT_BYTES_PER_TOKEN,
              "100",
              "checkpoint intervals grow with the model: both are multiplied by max(1, words x row bytes / (this x checkpoint.interval.tokens)), words = vocabulary of the last checkpoint, row bytes = 4 (d + H + 4) + 8, so a checkpoint writes at most ~this many bytes per token trained (at d=300: 4M tokens up to ~165k words, 24M at 1M words; a restore replays up to that many). 0 = fixed intervals",
              Type.INT_NONNEGATIVE),
          new Key(
              CHECKPOINT_SLICE_BYTES,
              DEFAULT_CHECKPOINT_SLICE_BYTES,
              "a checkpoint is written in slices of about this many bytes, one per transaction (a commit follows each), so a transaction stays small at any model size; the previous checkpoint stays the one a restore uses until the last slice is in. At least 4096",
              Type.LONG_POSITIVE),
          new Key(
              SNAPSHOT_INTERVAL_TOKENS,
              "10000000",
              "publish a snapshot every this many trained tokens (a snapshot is the whole model, ~0.8 kB per word at dim 100: at full speed 10M tokens is every 30-60 s)",
              Type.LONG_POSITIVE),
          new Key(
              SNAPSHOT_INTERVAL_MS,
              "60000",
              "and at least this often (ms) while tokens arrive",
              Type.LONG_POSITIVE),
          new Key(
              SNAPSHOT_CHUNK_BYTES,
              "900000",
              "largest snapshot record value (Kafka's default limit is 1 MB)",
              Type.INT_POSITIVE),
          new Key(
              SNAPSHOT_ENCODING,
              "float32",
              "E and W rows on the snapshots topic: float32 (exact), float16 or bfloat16 (half the bytes), int8 (a quarter, per-row scale); readers and exports get float32 back",
              Type.ENCODING),
          new Key(
              SNAPSHOT_SLICE_BYTES,
              DEFAULT_SNAPSHOT_SLICE_BYTES,
              "a snapshot version bigger than this is published in slices of about this many bytes, one per transaction beside a checkpoint's slice (a transaction then carries at most about checkpoint.slice.bytes + this), readers keeping the previous version until the last slice is in; a smaller version goes out in one transaction. At least 4096",
              Type.LONG_POSITIVE),
          new Key(
              IDLE_SNAPSHOT_MS,
              "5000",
              "publish a snapshot once the input has been idle this long (ms), so a finite stream's final model is on the topic",
              Type.LONG_POSITIVE),
          new Key(
              METRICS_INTERVAL_MS,
              "10000",
              "publish one metrics record every this many ms",
              Type.LONG_POSITIVE),
          new Key(
              METRICS_HALF_LIFE_TOKENS,
              "1000000",
              "half-life in tokens of the recent_* metrics (fading factor 2^(-1/half-life) per token): an observation this many tokens old weighs half. Recent cross-entropy comes from a per-token signal (the noise-corrected score of the target) calibrated on the exactly scored tokens, so it is precise at short horizons; recent top-1/top-5 use the exact sample alone (about half-life * eval-budget / (V * H) tokens of it)",
              Type.LONG_POSITIVE),
          new Key(
              HISTORY_SNAPSHOTS,
              "30",
              "snapshots the query side keeps in memory for /v1/drift and time-travel queries (/v1/neighbours?version= or at=); each keeps the history.words most frequent words with 8-bit unit vectors, about history.words * (d + 60) bytes (~1.6 MB at the defaults)",
              Type.INT_POSITIVE),
          new Key(
              HISTORY_WORDS,
              "10000",
              "words kept per remembered snapshot (the most frequent): drift and time travel cover these",
              Type.INT_POSITIVE),
          new Key(
              HISTORY_TOPIC,
              "",
              "topic of the compact snapshots (history.words words, 8-bit vectors, ~history.words * (d + 20) bytes each) the trainer writes with every snapshot, in its transaction; every instance reads it back at start and follows it, so drift and time travel reach past history.snapshots, after a restart and on any instance. Empty = <snapshots.topic>-history",
              Type.TOPIC_OR_EMPTY),
          new Key(
              HISTORY_RETENTION_MS,
              "604800000",
              "retention.ms of the history topic when the app creates it (cleanup.policy=delete; 7 days): how far back drift and time travel reach. An existing topic keeps its own settings",
              Type.LONG_POSITIVE),
          new Key(
              DRIFT_DAMPING_COUNT,
              "20",
              "drift score = (1 - cos) * c / (c + this), c = the word's smaller count of the two snapshots: rare words, whose vectors move by noise, rank lower",
              Type.INT_NONNEGATIVE),
          new Key(
              LEARNER_QUEUE_TOKENS,
              "262144",
              "tokens the stream thread may hand ahead to the model's own learning thread (about 0.5 s of learning), so that Kafka work (polls, commits, checkpoint writes) and learning use two cores; 0 = learn on the stream thread. The model is the same either way",
              Type.INT_NONNEGATIVE),
          new Key(
              LEARNER_THREADS,
              "1",
              "threads that learn model.id's model: 1, or 2 = its model steps (forward, negative-sampling step, backward) and exact evaluations on a second thread, in stream order, pipelined behind counting, subsampling and the mixture's n-gram counts; the same bits either way. Needs loss=ns, no fading AdaGrad (adagrad-half-life=0) and batch=1 (refused at start otherwise). With models= set, every model learns on one",
              Type.LEARNER_THREADS),
          new Key(
              HTTP_HOST,
              "127.0.0.1",
              "address the query API and /metrics listen on",
              Type.NONEMPTY),
          new Key(
              HTTP_PORT,
              "8080",
              "port of the query API and /metrics (0 = any free port, -1 = off)",
              Type.INT_PORT),
          new Key(
              METRICS_PATH,
              "/metrics",
              "path of the Prometheus scrape endpoint on http.port",
              Type.NONEMPTY));

  /**
   * Checks the keys that bound each other (values: every app key with its effective value); throws
   * a ConfigException naming both keys.
   */
  static void validateTogether(java.util.Map<String, String> values) {
    long rf = Long.parseLong(values.get(REPLICATION_FACTOR).trim());
    long minIsr = Long.parseLong(values.get(MIN_INSYNC_REPLICAS).trim());
    if (minIsr > rf)
      throw new ConfigException(
          "config key '"
              + MIN_INSYNC_REPLICAS
              + "' = "
              + minIsr
              + " is above '"
              + REPLICATION_FACTOR
              + "' = "
              + rf
              + ": no write could ever succeed; use at most "
              + rf
              + " (e.g. replication.factor=3 with min.insync.replicas=2)");
    long session = Long.parseLong(values.get(SESSION_TIMEOUT_MS).trim());
    long heartbeat = Long.parseLong(values.get(HEARTBEAT_INTERVAL_MS).trim());
    if (heartbeat >= session)
      throw new ConfigException(
          "config key '"
              + HEARTBEAT_INTERVAL_MS
              + "' = "
              + heartbeat
              + " must be below '"
              + SESSION_TIMEOUT_MS
              + "' = "
              + session
              + " (a third of it or less, e.g. "
              + session / 3
              + ")");
    long commit = Long.parseLong(values.get(COMMIT_INTERVAL_MS).trim());
    long transaction = Long.parseLong(values.get(TRANSACTION_TIMEOUT_MS).trim());
    if (transaction <= commit)
      throw new ConfigException(
          "config key '"
              + TRANSACTION_TIMEOUT_MS
              + "' = "
              + transaction
              + " must be above '"
              + COMMIT_INTERVAL_MS
              + "' = "
              + commit
              + ": every commit would time out its own transaction");
  }

  public static Key byName(String name) {
    for (Key k : KEYS) if (k.name().equals(name)) return k;
    return null;
  }
}
