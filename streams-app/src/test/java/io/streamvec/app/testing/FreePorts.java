package io.streamvec.app.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Loopback ports nothing listens on (bound, then released): for unreachable-broker tests and for
 * scripts' ports.
 */
public final class FreePorts {
  private FreePorts() {}

  public static int one() {
    return several(1)[0];
  }

  /** n distinct ports (all held open at once while choosing). */
  public static int[] several(int n) {
    ServerSocket[] sockets = new ServerSocket[n];
    int[] ports = new int[n];
    try {
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          if (s != null) s.close();
        } catch (IOException ignored) {
          // a probe socket; nothing to do
        }
      }
    }
  }
}
