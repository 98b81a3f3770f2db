package io.streamvec.model.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorMath}'s and {@link ExpSum}'s kernels on 256-bit vectors (8 float lanes), computing
 * exactly what their scalar loops compute: lane l of an accumulator holds the terms l, l + 8, ...
 * of the full blocks, the lanes are combined in a fixed tree (never reduceLanes, whose order is
 * unspecified), the tail is added one term at a time, and no fused multiply-add is used. Loaded
 * only when {@link SimdSupport} found the module.
 */
final class SimdKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

  private SimdKernels() {}

  /** Whether 256-bit float vectors are native here (else the API emulates them slowly). */
  static boolean usable() {
    return VectorShape.preferredShape().vectorBitSize() >= S.vectorBitSize();
  }

  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + 7 < n; i += 8)
      acc = acc.add(FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)));
    // ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)), written out here: a vector passed to a method that
    // C2 does not inline is boxed, i.e. allocated
    float s =
        ((acc.lane(0) + acc.lane(1)) + (acc.lane(2) + acc.lane(3)))
            + ((acc.lane(4) + acc.lane(5)) + (acc.lane(6) + acc.lane(7)));
    for (; i < n; i++) s += a[ao + i] * b[bo + i];
    return s;
  }

  static float sumSquaredProducts(float[] a, int ao, float[] b, int bo, int n) {
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    for (; i + 7 < n; i += 8) {
      FloatVector p = FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i));
      acc = acc.add(p.mul(p));
    }
    float s =
        ((acc.lane(0) + acc.lane(1)) + (acc.lane(2) + acc.lane(3)))
            + ((acc.lane(4) + acc.lane(5)) + (acc.lane(6) + acc.lane(7)));
    for (; i < n; i++) {
      float p = a[ao + i] * b[bo + i];
      s += p * p;
    }
    return s;
  }

  static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
    int i = 0;
    for (; i + 7 < n; i += 8)
      FloatVector.fromArray(S, y, yo + i)
          .add(FloatVector.fromArray(S, x, xo + i).mul(alpha))
          .intoArray(y, yo + i);
    for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
  }

  static void addHadamard(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
    int i = 0;
    for (; i + 7 < n; i += 8)
      FloatVector.fromArray(S, y, yo + i)
          .add(FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)))
          .intoArray(y, yo + i);
    for (; i < n; i++) y[yo + i] += a[ao + i] * b[bo + i];
  }

  static void gradientAndStep(
      float[] data, int wo, float s, float step, float[] h, float[] g, int n) {
    int i = 0;
    for (; i + 7 < n; i += 8) {
      FloatVector w = FloatVector.fromArray(S, data, wo + i);
      FloatVector.fromArray(S, g, i).add(w.mul(s)).intoArray(g, i);
      w.add(FloatVector.fromArray(S, h, i).mul(step)).intoArray(data, wo + i);
    }
    for (; i < n; i++) {
      float wi = data[wo + i];
      g[i] += s * wi;
      data[wo + i] = wi + step * h[i];
    }
  }

  static void crossStep(
      float[] c, int co, float stepC, float[] x, int xo, float stepX, float[] g, int n) {
    int j = 0;
    for (; j + 7 < n; j += 8) {
      FloatVector gv = FloatVector.fromArray(S, g, j);
      FloatVector xv = FloatVector.fromArray(S, x, xo + j);
      FloatVector cv = FloatVector.fromArray(S, c, co + j);
      cv.add(xv.mul(gv).mul(stepC)).intoArray(c, co + j);
      xv.add(cv.mul(gv).mul(stepX)).intoArray(x, xo + j);
    }
    for (; j < n; j++) {
      float gj = g[j], xv = x[xo + j], cv = c[co + j];
      c[co + j] = cv + stepC * (xv * gj);
      x[xo + j] = xv + stepX * (cv * gj);
    }
  }

  static void crossStepFrom(
      float[] c,
      int co,
      float stepC,
      float[] src,
      int so,
      float[] x,
      int xo,
      float stepX,
      float[] g,
      int n) {
    int j = 0;
    for (; j + 7 < n; j += 8) {
      FloatVector gv = FloatVector.fromArray(S, g, j);
      FloatVector cv = FloatVector.fromArray(S, c, co + j);
      cv.add(FloatVector.fromArray(S, src, so + j).mul(gv).mul(stepC)).intoArray(c, co + j);
      FloatVector.fromArray(S, x, xo + j).add(cv.mul(gv).mul(stepX)).intoArray(x, xo + j);
    }
    for (; j < n; j++) {
      float gj = g[j], cv = c[co + j];
      c[co + j] = cv + stepC * (src[so + j] * gj);
      x[xo + j] = x[xo + j] + stepX * (cv * gj);
    }
  }

  /**
   * {@link ExpSum#sumExp}: the exps 8 at a time, each lane's term added to its own double; lanes
   * are read one by one because JDK 17 boxes a float-to-double vector conversion (an allocation per
   * block), and the adds are independent chains, so they are not what bounds the loop.
   */
  static double sumExp(float[] s, int from, int to, float max) {
    double d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0, d7 = 0;
    int i = from;
    for (; i + 7 < to; i += 8) {
      FloatVector e = exp(FloatVector.fromArray(S, s, i).sub(max));
      d0 += e.lane(0);
      d1 += e.lane(1);
      d2 += e.lane(2);
      d3 += e.lane(3);
      d4 += e.lane(4);
      d5 += e.lane(5);
      d6 += e.lane(6);
      d7 += e.lane(7);
    }
    double sum = ((d0 + d1) + (d2 + d3)) + ((d4 + d5) + (d6 + d7));
    for (; i < to; i++) sum += ExpSum.exp(s[i] - max);
    return sum;
  }

  /** {@link ExpSum#expInto}: 8 at a time, the tail one by one. */
  static void expInto(float[] x, float[] out, int n) {
    int i = 0;
    for (; i + 7 < n; i += 8) exp(FloatVector.fromArray(S, x, i)).intoArray(out, i);
    for (; i < n; i++) out[i] = ExpSum.exp(x[i]);
  }

  /** {@link ExpSum#exp} lane by lane, operation by operation. */
  private static FloatVector exp(FloatVector x) {
    x = x.max(ExpSum.MIN);
    FloatVector t = x.mul(ExpSum.LOG2E).add(ExpSum.SHIFTER);
    FloatVector k = t.sub(ExpSum.SHIFTER);
    FloatVector r = x.sub(k.mul(ExpSum.LN2_HI));
    r = r.sub(k.mul(ExpSum.LN2_LO));
    FloatVector p = r.mul(ExpSum.C7).add(ExpSum.C6);
    p = p.mul(r).add(ExpSum.C5);
    p = p.mul(r).add(ExpSum.C4);
    p = p.mul(r).add(ExpSum.C3);
    p = p.mul(r).add(ExpSum.C2);
    p = p.mul(r).add(1f);
    p = p.mul(r).add(1f);
    FloatVector scale =
        t.reinterpretAsInts()
            .sub(ExpSum.SHIFTER_BITS - 127)
            .lanewise(VectorOperators.LSHL, 23)
            .reinterpretAsFloats();
    return p.mul(scale);
  }
}
