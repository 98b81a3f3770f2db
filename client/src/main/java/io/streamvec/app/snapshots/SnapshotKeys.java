package io.streamvec.app.snapshots;

/**
 * The model a snapshots-topic record belongs to, from its key. Keys are {@code <model>/<chunk>}
 * (formats 1 and 2), {@code <model>/m/<chunk>} and {@code <model>/r/<block>/<chunk>} (format 3),
 * {@code <model>/m.<slot>/<chunk>} and {@code <model>/r/<block>.<slot>/<chunk>} (format 5); chunk
 * and block are whole numbers, slot is 0 or 1.
 */
public final class SnapshotKeys {
  private SnapshotKeys() {}

  /** The model named by key, or null when the key has none of these shapes. */
  public static String modelOf(String key) {
    int chunk = key.lastIndexOf('/');
    if (chunk <= 0 || !digits(key, chunk + 1, key.length())) return null;
    String rest = key.substring(0, chunk);
    int part = rest.lastIndexOf('/');
    if (part <= 0) return rest;
    int end = slotted(rest, part + 1) ? rest.length() - 2 : rest.length();
    if (end - part == 2 && rest.charAt(part + 1) == 'm') return rest.substring(0, part);
    if (part > 2 && rest.startsWith("/r", part - 2) && digits(rest, part + 1, end))
      return rest.substring(0, part - 2);
    return rest;
  }

  /** Whether s ends in ".0" or ".1" after position from. */
  private static boolean slotted(String s, int from) {
    int n = s.length();
    return n - from >= 3
        && s.charAt(n - 2) == '.'
        && (s.charAt(n - 1) == '0' || s.charAt(n - 1) == '1');
  }

  private static boolean digits(String s, int from, int to) {
    if (from >= to) return false;
    for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return true;
  }
}
