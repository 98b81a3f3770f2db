package io.streamvec.model.nn;

/**
 * Decides once per JVM whether {@link VectorMath} runs on {@link SimdKernels}: only when the JVM
 * was started with {@code --add-modules jdk.incubator.vector} and the CPU has vectors of at least
 * 256 bits (smaller vectors would run the 8-lane shape in the API's slow Java fallback). {@code
 * -Dstreamvec.simd=false} forces the scalar loops, {@code =true} the Vector API whatever the CPU
 * (for tests). The choice changes speed only, never a bit.
 */
final class SimdSupport {
  static final String PROPERTY = "streamvec.simd";

  private SimdSupport() {}

  static boolean enabled() {
    String choice = System.getProperty(PROPERTY, "auto");
    if (choice.equals("false")) return false;
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
    try {
      return choice.equals("true") || SimdKernels.usable();
    } catch (LinkageError e) {
      return false;
    }
  }
}
