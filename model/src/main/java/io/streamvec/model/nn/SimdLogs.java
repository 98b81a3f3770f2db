package io.streamvec.model.nn;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link BulkLogs} on the Vector API; loaded only when {@link SimdSupport} found the module. */
final class SimdLogs {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

  private SimdLogs() {}

  static void logOfQuotients(float[] num, double den, double[] out, int n) {
    // the quotients first, in a loop the JIT vectorises (float to double, one division each)
    for (int i = 0; i < n; i++) out[i] = num[i] / den;
    int i = 0;
    for (int end = S.loopBound(n); i < end; i += S.length())
      DoubleVector.fromArray(S, out, i).lanewise(VectorOperators.LOG).intoArray(out, i);
    for (; i < n; i++) out[i] = Math.log(out[i]);
  }
}
