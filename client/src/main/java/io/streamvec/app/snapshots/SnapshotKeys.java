package io.streamvec.app.snapshots;

/**
 * The model a snapshots-topic record belongs to, from its key. Keys are {@code <model>/<chunk>}
 * (formats 1 and 2), {@code <model>/m/<chunk>} (a format 3 manifest) and {@code
 * <model>/r/<block>/<chunk>} (a format 3 row block); chunk and block are whole numbers.
 */
public final class SnapshotKeys {
  private SnapshotKeys() {}

  /** The model named by key, or null when the key has none of the three shapes. */
  public static String modelOf(String key) {
    int chunk = key.lastIndexOf('/');
    if (chunk <= 0 || !digits(key, chunk + 1, key.length())) return null;
    String rest = key.substring(0, chunk);
    if (rest.endsWith("/m") && rest.length() > 2) return rest.substring(0, rest.length() - 2);
    int block = rest.lastIndexOf('/');
    if (block > 2 && rest.startsWith("/r", block - 2) && digits(rest, block + 1, rest.length()))
      return rest.substring(0, block - 2);
    return rest;
  }

  private static boolean digits(String s, int from, int to) {
    if (from >= to) return false;
    for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return true;
  }
}
