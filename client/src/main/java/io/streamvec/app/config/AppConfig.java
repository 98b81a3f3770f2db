package io.streamvec.app.config;

import io.streamvec.model.ModelConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The app's configuration: documented defaults, then one properties file ({@code --config FILE}),
 * then environment variables ({@code STREAMVEC_<KEY>}, e.g. STREAMVEC_BOOTSTRAP_SERVERS or
 * STREAMVEC_MIN_COUNT), then {@code --set key=value} flags, later ones winning. Model
 * hyper-parameters use the {@code ./streamvec train} flag names. Keys starting with {@code kafka.}
 * go unchanged (minus the prefix) to every Kafka client, e.g. {@code
 * kafka.security.protocol=SASL_SSL}. Everything is validated at once on load; an error names the
 * key, the bad value and the fix.
 */
public final class AppConfig {
  public static final String KAFKA_PREFIX = "kafka.";
  public static final String ENV_PREFIX = "STREAMVEC_";

  private final Map<String, String> values; // app keys + kafka.* overrides, validated
  private final ModelConfig model;
  private final Map<String, String>
      given; // what a file, the environment or --set said (no defaults)
  private ModelsConfig models;

  private AppConfig(Map<String, String> values, ModelConfig model, Map<String, String> given) {
    this.values = values;
    this.model = model;
    this.given = given;
  }

  /** Defaults only (tests, examples). */
  public static AppConfig defaults() {
    return build(Map.of());
  }

  /** Defaults overridden by the given key/values (same validation as a file). */
  public static AppConfig of(Map<String, String> overrides) {
    return build(overrides);
  }

  /**
   * Loads defaults, then {@code --config FILE}, then the environment, then {@code --set k=v} (and
   * the shorthand {@code --bootstrap-servers X}); other arguments are left in {@code rest}.
   */
  public static AppConfig load(String[] args, Map<String, String> env, List<String> rest) {
    Map<String, String> merged = new LinkedHashMap<>();
    Map<String, String> sets = new LinkedHashMap<>();
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--config") || a.equals("--set") || a.equals("--bootstrap-servers")) {
        if (i + 1 >= args.length) throw new ConfigException(a + " needs a value");
        String v = args[++i];
        if (a.equals("--config")) file = Path.of(v);
        else if (a.equals("--bootstrap-servers")) sets.put("bootstrap.servers", v);
        else {
          int eq = v.indexOf('=');
          if (eq <= 0) throw new ConfigException("--set takes key=value, got '" + v + "'");
          sets.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
        }
      } else if (a.startsWith("--config=")) {
        file = Path.of(a.substring("--config=".length()));
      } else if (a.startsWith("--bootstrap-servers=")) {
        sets.put("bootstrap.servers", a.substring("--bootstrap-servers=".length()));
      } else if (rest != null) {
        rest.add(a);
      } else {
        throw new ConfigException(
            "unknown argument '"
                + a
                + "' (expected --config FILE, --set key=value or --bootstrap-servers HOST:PORT)");
      }
    }
    if (file != null) merged.putAll(readFile(file));
    merged.putAll(fromEnvironment(env));
    merged.putAll(sets);
    return build(merged);
  }

  private static Map<String, String> readFile(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          "config file "
              + file
              + " does not exist (pass --config with the path of a .properties file)");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String k : p.stringPropertyNames()) m.put(k.trim(), p.getProperty(k).trim());
    return m;
  }

  /**
   * STREAMVEC_BOOTSTRAP_SERVERS -> bootstrap.servers, STREAMVEC_MIN_COUNT -> min-count,
   * STREAMVEC_KAFKA_SASL_MECHANISM -> kafka.sasl.mechanism.
   */
  static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> m = new LinkedHashMap<>();
    if (env == null) return m;
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX) || e.getKey().equals("STREAMVEC_HOME")) continue;
      String name = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
      String key = canonical(name.replace('_', '.'));
      if (key == null) {
        if (name.startsWith("kafka_")) key = name.replace('_', '.');
        else continue; // unrelated STREAMVEC_* variables (e.g. the launcher's own) are not config
      }
      m.put(key, e.getValue());
    }
    return m;
  }

  /** The known key that name spells, treating '.', '-' and '_' alike; null if none. */
  static String canonical(String name) {
    String n = name.replaceAll("[._-]", "");
    for (AppKeys.Key k : AppKeys.KEYS)
      if (k.name().replaceAll("[._-]", "").equals(n)) return k.name();
    for (ModelConfig.Key k : ModelConfig.KEYS)
      if (k.name().replaceAll("[._-]", "").equals(n)) return k.name();
    return null;
  }

  private static AppConfig build(Map<String, String> overrides) {
    Map<String, String> values = new LinkedHashMap<>();
    for (AppKeys.Key k : AppKeys.KEYS) values.put(k.name(), k.defaultValue());
    Map<String, String> model = new LinkedHashMap<>();
    Map<String, Map<String, String>> perModel = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(KAFKA_PREFIX)) values.put(k, e.getValue());
      else if (ModelConfig.isKey(k)) model.put(k, e.getValue());
      else if (AppKeys.byName(k) != null) values.put(k, e.getValue());
      else if (perModelKey(k) != null)
        perModel
            .computeIfAbsent(perModelKey(k)[0], n -> new LinkedHashMap<>())
            .put(perModelKey(k)[1], e.getValue());
      else {
        String guess = canonical(k);
        throw new ConfigException(
            "unknown config key '"
                + k
                + "'"
                + (guess != null ? " (did you mean '" + guess + "'?)" : "")
                + "; Kafka client settings go in with the prefix 'kafka.', e.g. kafka."
                + k
                + "; run './streamvec app --help' for all keys");
      }
    }
    for (AppKeys.Key k : AppKeys.KEYS) k.validate(values.get(k.name()));
    AppKeys.validateTogether(values);
    ModelConfig mc;
    try {
      mc = ModelConfig.defaults().withAll(model);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    AppConfig config =
        new AppConfig(
            values, mc, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides)));
    config.models = new ModelsConfig(config, perModel);
    return config;
  }

  /** {name, key} of a per-model key model.NAME.KEY, or null. */
  private static String[] perModelKey(String k) {
    if (!k.startsWith(ModelsConfig.PREFIX)) return null;
    String rest = k.substring(ModelsConfig.PREFIX.length());
    int dot = rest.indexOf('.');
    if (dot <= 0 || dot == rest.length() - 1) return null;
    return new String[] {rest.substring(0, dot), rest.substring(dot + 1)};
  }

  /** The models this app trains and how records are routed to them. */
  public ModelsConfig models() {
    return models;
  }

  /** True if key was set explicitly (file, environment, --set), false if it has its default. */
  public boolean isGiven(String key) {
    return given.containsKey(key);
  }

  /** This config with one more explicit setting (validated like the rest). */
  public AppConfig with(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(given);
    m.put(key, value);
    return build(m);
  }

  public String get(String key) {
    String v = values.get(key);
    if (v == null && AppKeys.byName(key) == null)
      throw new IllegalArgumentException("not an app key: " + key);
    return v;
  }

  /** The history topic: history.topic, or {@code <snapshots.topic>-history} when empty. */
  public String historyTopic() {
    String t = get(AppKeys.HISTORY_TOPIC).trim();
    return t.isEmpty() ? get(AppKeys.SNAPSHOTS_TOPIC).trim() + "-history" : t;
  }

  public int getInt(String key) {
    return Integer.parseInt(get(key));
  }

  public long getLong(String key) {
    return Long.parseLong(get(key));
  }

  public List<String> getList(String key) {
    List<String> out = new ArrayList<>();
    for (String s : get(key).split(",")) if (!s.isBlank()) out.add(s.trim());
    return out;
  }

  public ModelConfig model() {
    return model;
  }

  public String bootstrapServers() {
    return get(AppKeys.BOOTSTRAP_SERVERS);
  }

  /**
   * Kafka client settings passed through with {@code kafka.} (prefix removed), plus
   * bootstrap.servers.
   */
  public Properties kafkaClientProperties() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers());
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getKey().startsWith(KAFKA_PREFIX))
        p.put(e.getKey().substring(KAFKA_PREFIX.length()), e.getValue());
    }
    return p;
  }

  /**
   * Every effective value (app keys, kafka.* overrides and model keys), for logs and
   * --print-config; secrets masked.
   */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      boolean secret =
          Arrays.stream(new String[] {"password", "secret", "jaas"})
              .anyMatch(s -> e.getKey().toLowerCase(Locale.ROOT).contains(s));
      m.put(e.getKey(), secret ? "******" : e.getValue());
    }
    m.putAll(model.asMap());
    for (Map.Entry<String, String> e : given.entrySet())
      if (perModelKey(e.getKey()) != null && AppKeys.byName(e.getKey()) == null)
        m.put(e.getKey(), e.getValue());
    return m;
  }

  /** The --help text of every key with its default. */
  public static String help() {
    StringBuilder b =
        new StringBuilder(
            "app keys (--set key=value, a --config properties file, or env STREAMVEC_KEY):\n");
    for (AppKeys.Key k : AppKeys.KEYS)
      b.append(
          String.format(
              Locale.ROOT,
              "  %-34s %s (default %s)%n",
              k.name(),
              k.doc(),
              k.defaultValue().isEmpty() ? "empty" : k.defaultValue()));
    b.append("model keys (same names as ./streamvec train flags):\n");
    for (ModelConfig.Key k : ModelConfig.KEYS)
      b.append(
          String.format(
              Locale.ROOT, "  %-34s %s (default %s)%n", k.name(), k.doc(), k.defaultValue()));
    b.append(
        "per model (beside models=NAME,...): model.NAME.topics=T1,T2 (model.routing=topic) and"
            + " model.NAME.KEY for any model key, e.g. model.news.dim=50\n");
    b.append(
        "Kafka client settings: any key prefixed kafka. goes to every client unchanged, e.g. kafka.security.protocol=SASL_SSL\n");
    return b.toString();
  }
}
