package io.streamvec.app;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless, with a fresh profile: the DOM of a page after its scripts ran
 * (--dump-dom with a virtual-time budget, during which the page's fetches complete), and a
 * screenshot. Fails with what to install when chromium is missing (.ci/run installs it).
 */
public final class HeadlessChromium {
  private HeadlessChromium() {}

  static final List<String> FLAGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--window-size=1280,1800");

  static String binary() {
    for (String b : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser"))
      if (Files.isExecutable(Path.of(b))) return b;
    throw new AssertionError(
        "chromium is not installed: apt-get install -y chromium (deploy/lib.sh lists it for CI)");
  }

  /** The rendered DOM of url after budgetMs of virtual time. */
  public static String dumpDom(String url, int budgetMs) throws Exception {
    return run(url, budgetMs, "--dump-dom");
  }

  /** Saves a PNG screenshot of url after budgetMs of virtual time. */
  public static void screenshot(String url, int budgetMs, Path png) throws Exception {
    Files.createDirectories(png.toAbsolutePath().getParent());
    run(url, budgetMs, "--screenshot=" + png.toAbsolutePath());
    if (!Files.isRegularFile(png) || Files.size(png) == 0)
      throw new AssertionError("chromium wrote no screenshot to " + png);
  }

  private static String run(String url, int budgetMs, String what) throws Exception {
    Path profile = Files.createTempDirectory("streamvec-chromium-");
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(binary());
      cmd.addAll(FLAGS);
      cmd.add("--user-data-dir=" + profile);
      cmd.add("--virtual-time-budget=" + budgetMs);
      cmd.add(what);
      cmd.add(url);
      Path out = profile.resolve("stdout");
      Process p =
          new ProcessBuilder(cmd)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("chromium did not finish within 90 s: " + cmd);
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      TestTexts.deleteTree(profile);
    }
  }
}
