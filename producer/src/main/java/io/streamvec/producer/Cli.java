package io.streamvec.producer;

import io.streamvec.app.config.AppConfig;
import io.streamvec.app.config.AppKeys;
import io.streamvec.app.config.ConfigException;
import io.streamvec.app.config.LocalBroker;
import io.streamvec.app.snapshots.KafkaSnapshotReader;
import io.streamvec.app.snapshots.SnapshotReadException;
import io.streamvec.model.ModelSnapshot;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the command-line tools share: config loading (AppConfig + the local broker), reading the
 * latest snapshot, messages.
 */
final class Cli {
  private Cli() {}

  /** The config options every command takes, for --help texts. */
  static final String CONFIG_HELP =
      """
      config (the app's own keys and files; see ./streamvec app --help for every key):
        --bootstrap-servers HOST:PORT   Kafka to use (same as --set bootstrap.servers=...); without it,
                                        and without bootstrap.servers in the config file or the environment
                                        (STREAMVEC_BOOTSTRAP_SERVERS), the local broker is used, started if needed
        --config FILE                   a properties file with app keys (kafka.* keys go to the Kafka client)
        --set KEY=VALUE                 one key, e.g. --set snapshots.topic=snapshots --set kafka.security.protocol=SSL
      """;

  /** Loads the config from the arguments and environment; the other arguments go to rest. */
  static AppConfig load(String[] args, Map<String, String> env, List<String> rest)
      throws CliFailure {
    try {
      return AppConfig.load(args, env, rest);
    } catch (ConfigException e) {
      throw new CliFailure(CliFailure.USAGE, e.getMessage());
    }
  }

  /**
   * The config pointing at the local broker (started if needed) when no bootstrap.servers is given
   * anywhere. No broker to be had is exit code 4, like an unreachable one.
   */
  static AppConfig withBroker(AppConfig config, Map<String, String> env) throws CliFailure {
    try {
      return LocalBroker.orLocalBroker(config, env);
    } catch (ConfigException e) {
      throw new CliFailure(CliFailure.BROKER_UNREACHABLE, e.getMessage());
    }
  }

  /**
   * The newest complete snapshot of the config's model (model.id, or --model) on its snapshots
   * topic, or a failure saying why there is none and which models the topic does hold.
   */
  static ModelSnapshot latestSnapshot(AppConfig config, Duration timeout) throws CliFailure {
    String topic = config.get(AppKeys.SNAPSHOTS_TOPIC), model = config.get(AppKeys.MODEL_ID);
    try (KafkaSnapshotReader reader = KafkaSnapshotReader.of(config)) {
      Optional<ModelSnapshot> s = reader.readLatest(timeout);
      if (s.isPresent()) return s.get();
    } catch (SnapshotReadException e) {
      throw failure(e);
    }
    Set<String> models = allModels(config, timeout).keySet();
    throw new CliFailure(
        CliFailure.FAILED,
        models.isEmpty()
            ? "no complete snapshot on topic '"
                + topic
                + "' (model '"
                + model
                + "') yet; the app publishes one every snapshot.interval.tokens tokens and when its input goes idle"
            : "no snapshot of model '"
                + model
                + "' on topic '"
                + topic
                + "'; the models there: "
                + String.join(", ", models)
                + " (choose one with --model NAME)");
  }

  /** The newest complete snapshot of every model on the config's snapshots topic, by name. */
  static Map<String, ModelSnapshot> allModels(AppConfig config, Duration timeout)
      throws CliFailure {
    try (KafkaSnapshotReader reader =
        KafkaSnapshotReader.allModels(
            config.kafkaClientProperties(), config.get(AppKeys.SNAPSHOTS_TOPIC))) {
      return reader.readAll(timeout);
    } catch (SnapshotReadException e) {
      throw failure(e);
    }
  }

  static CliFailure failure(SnapshotReadException e) {
    int code =
        switch (e.reason()) {
          case BROKER_UNREACHABLE -> CliFailure.BROKER_UNREACHABLE;
          case TOPIC_MISSING -> CliFailure.TOPIC_UNAVAILABLE;
          case TIMED_OUT, KAFKA_ERROR -> CliFailure.FAILED;
        };
    return new CliFailure(code, e.getMessage(), e);
  }

  /**
   * The usage text when no action or --help/-h was given: on stdout for --help (exit 0), on stderr
   * for a missing action (usage exit code). Null when the command should go on.
   */
  static Integer helpOrUsage(List<String> rest, String usage, PrintStream out, PrintStream err) {
    if (!rest.isEmpty() && !rest.contains("--help") && !rest.contains("-h")) return null;
    (rest.isEmpty() ? err : out).print(usage + CONFIG_HELP);
    return rest.isEmpty() ? CliFailure.USAGE : 0;
  }

  /** Prints "command: message" (and the --help hint for usage errors); returns the exit code. */
  static int report(String command, CliFailure f, PrintStream err) {
    err.println(command + ": " + f.getMessage());
    if (f.exitCode == CliFailure.USAGE)
      err.println("run './streamvec " + command.split(" ")[0] + " --help' for the options");
    return f.exitCode;
  }

  /** A positive whole number option, or a usage failure naming it. */
  static int positiveInt(String option, String value, int max) throws CliFailure {
    try {
      int v = Integer.parseInt(value.trim());
      if (v >= 1 && v <= max) return v;
    } catch (NumberFormatException e) {
      // the message below says what is expected
    }
    throw new CliFailure(
        CliFailure.USAGE,
        option + " takes a whole number from 1 to " + max + ", got '" + value + "'");
  }

  /** The value after option at args[i], or a usage failure. */
  static String value(List<String> args, int i) throws CliFailure {
    if (i + 1 >= args.size())
      throw new CliFailure(CliFailure.USAGE, args.get(i) + " needs a value");
    return args.get(i + 1);
  }
}
