package io.streamvec.app.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for a server that another process (or a later call) will bind: picked at random
 * below the kernel's ephemeral range, where outgoing connections and port-0 binds of concurrent
 * tests never land, free when picked, and never handed out twice in this JVM. A port-0 pick is
 * closed again before its user binds it, and the kernel may give it to any outgoing connection or
 * the next port-0 pick meanwhile (deploy/demo-check.sh and bench/e2e.py pick the same way).
 */
public final class FreePorts {
  static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  public static int one() {
    return several(1)[0];
  }

  /** n distinct ports. */
  public static synchronized int[] several(int n) {
    int high = ephemeralLow();
    int[] ports = new int[n];
    for (int i = 0; i < n; i++) ports[i] = pick(high);
    return ports;
  }

  /**
   * The lowest port of the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), or
   * Linux's default 32768 where it cannot be read or leaves too little room below it.
   */
  static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > LOWEST + 2_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  private static int pick(int high) {
    for (int attempt = 0; attempt < 500; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, high);
      if (!HANDED_OUT.contains(port) && bindable(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port in [" + LOWEST + ", " + high + ")");
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
