package io.streamvec.app.config;

import io.streamvec.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.Utils;

/**
 * Which models one app trains and how a record finds its model: {@code model.id} always, plus the
 * names in {@code models}; routed by input topic ({@code model.<name>.topics}, every other input
 * topic trains {@code model.id}) or by record key ({@code model.routing=key}). Per-model
 * hyper-parameters are the model keys overridden by {@code model.<name>.<key>}. Structural mistakes
 * (a topic mapped twice, an override for a model that is not listed, an unknown key) fail the
 * start; a bad value in one model's overrides fails only that model ({@link #modelConfig}).
 */
public final class ModelsConfig {
  public static final String NAME_RULE = "1 to 100 letters, digits, '_' or '-'";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,100}");
  static final String PREFIX = "model.";
  static final String TOPICS = "topics";

  private final String defaultModel;
  private final List<String> names; // model.id first, then models, no duplicates
  private final boolean byKey;
  private final boolean admit;
  private final int maxPerTask;
  private final int partitions;
  private final Map<String, String> topicToModel = new LinkedHashMap<>();
  private final List<String> inputTopics = new ArrayList<>();
  private final ModelConfig base;
  private final Map<String, Map<String, String>> overrides;

  ModelsConfig(AppConfig c, Map<String, Map<String, String>> perModel) {
    defaultModel = c.get(AppKeys.MODEL_ID);
    if (!validName(defaultModel))
      throw new ConfigException(
          "config key 'model.id' = '"
              + defaultModel
              + "' is not a valid model name ("
              + NAME_RULE
              + "): it keys the model's snapshots, metrics and state");
    Set<String> all = new LinkedHashSet<>();
    all.add(defaultModel);
    all.addAll(c.getList(AppKeys.MODELS));
    names = List.copyOf(all);
    byKey = c.get(AppKeys.MODEL_ROUTING).equals("key");
    admit = Boolean.parseBoolean(c.get(AppKeys.MODELS_ADMIT));
    maxPerTask = c.getInt(AppKeys.MODELS_MAX);
    partitions = c.getInt(AppKeys.MODEL_PARTITIONS);
    base = c.model();
    inputTopics.addAll(c.getList(AppKeys.INPUT_TOPICS));
    Map<String, Map<String, String>> models = new LinkedHashMap<>();
    for (String name : perModel.keySet())
      if (!names.contains(name))
        throw new ConfigException(
            "config keys 'model."
                + name
                + ".*' name model '"
                + name
                + "', which is not one of the models this app trains (model.id '"
                + defaultModel
                + "' and models="
                + c.get(AppKeys.MODELS)
                + "): add it to 'models'");
    for (String name : names) {
      if (!perModel.containsKey(name)) continue;
      Map<String, String> keys = new LinkedHashMap<>(perModel.get(name));
      String topics = keys.remove(TOPICS);
      if (topics != null) mapTopics(name, topics);
      for (String k : keys.keySet())
        if (!ModelConfig.isKey(k))
          throw new ConfigException(
              "config key 'model."
                  + name
                  + "."
                  + k
                  + "': '"
                  + k
                  + "' is neither 'topics' nor a model key (run './streamvec app --help' for the"
                  + " model keys)");
      models.put(name, Collections.unmodifiableMap(keys));
    }
    overrides = Collections.unmodifiableMap(models);
    if (byKey && !topicToModel.isEmpty())
      throw new ConfigException(
          "config keys 'model.<name>.topics' map topics to models, but 'model.routing' = key routes"
              + " by the record key: remove the topics keys or set model.routing=topic");
    if (!byKey && admit)
      throw new ConfigException(
          "config key 'models.admit' = true needs model.routing=key (a topic names no new model)");
  }

  private void mapTopics(String model, String topics) {
    for (String t : topics.split(",")) {
      String topic = t.trim();
      if (topic.isEmpty()) continue;
      if (!topic.matches("[A-Za-z0-9._-]{1,249}"))
        throw new ConfigException(
            "config key 'model."
                + model
                + ".topics': '"
                + topic
                + "' is not a valid Kafka topic name (letters, digits, '.', '_', '-')");
      String before = topicToModel.putIfAbsent(topic, model);
      if (before != null && !before.equals(model))
        throw new ConfigException(
            "topic '"
                + topic
                + "' is mapped to two models, '"
                + before
                + "' and '"
                + model
                + "': a topic trains one model");
      if (!inputTopics.contains(topic)) inputTopics.add(topic);
    }
  }

  /** True if name can name a model: it keys state, snapshots ("model/chunk") and meter labels. */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** One model, model.id, routed by topic: the app as it always was. */
  public boolean single() {
    return names.size() == 1 && !byKey;
  }

  public String defaultModel() {
    return defaultModel;
  }

  /** model.id and the names in models, in that order. */
  public List<String> names() {
    return names;
  }

  public boolean byKey() {
    return byKey;
  }

  public boolean admitsNew() {
    return admit;
  }

  public int maxPerTask() {
    return maxPerTask;
  }

  public int partitions() {
    return partitions;
  }

  /** input.topics and every topic mapped to a model. */
  public List<String> inputTopics() {
    return Collections.unmodifiableList(inputTopics);
  }

  /** The topics mapped to a model other than model.id (topic routing). */
  public Map<String, String> topicToModel() {
    return Collections.unmodifiableMap(topicToModel);
  }

  /**
   * The model a record of topic with key trains, or null: by key, a key that is not a valid model
   * name, or names a model neither listed nor admitted.
   */
  public String route(String topic, byte[] key) {
    if (!byKey) return topicToModel.getOrDefault(topic, defaultModel);
    String name = decode(key);
    if (name == null || !validName(name)) return null;
    return admit || names.contains(name) ? name : null;
  }

  private static String decode(byte[] key) {
    if (key == null) return null;
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(key))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * The hyper-parameters of model name: the model keys, overridden by model.name.key; a bad
   * override throws a ConfigException naming the key (it stops this model only).
   */
  public ModelConfig modelConfig(String name) {
    Map<String, String> own = overrides.getOrDefault(name, Map.of());
    try {
      return base.withAll(own);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "model '" + name + "': " + e.getMessage() + " (from the keys model." + name + ".*)");
    }
  }

  /**
   * The partition of the model topic that holds model name: Kafka's default partitioner over the
   * UTF-8 name, as the repartition step places it.
   */
  public int partitionOf(String name) {
    return Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
