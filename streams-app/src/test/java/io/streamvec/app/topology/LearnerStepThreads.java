package io.streamvec.app.topology;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;

/** The learner's step threads (learner.threads=2) alive in this JVM: for leak checks. */
final class LearnerStepThreads {
  /** The name {@link io.streamvec.model.Learner#setThreads} gives its step thread. */
  static final String NAME = "streamvec-learner-steps";

  private LearnerStepThreads() {}

  static Set<Thread> alive() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals(NAME))
        .collect(Collectors.toSet());
  }

  /** The step threads alive now that were not in before. */
  static Set<Thread> startedSince(Set<Thread> before) {
    Set<Thread> now = alive();
    now.removeAll(before);
    return now;
  }

  /** Each of threads has ended: stopping a step thread joins it, so nothing is awaited here. */
  static void assertEnded(Set<Thread> threads) {
    for (Thread t : threads)
      assertTrue(!t.isAlive(), "the step thread still runs after close: " + t);
  }
}
