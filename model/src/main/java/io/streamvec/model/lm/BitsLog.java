package io.streamvec.model.lm;

import java.util.Arrays;

/**
 * The per-token costs (bits) of one predictor on the tokens it is scored on, in stream order, so
 * two predictors scored on the same tokens can be compared token by token ({@link PairedInterval}).
 * Not part of any checkpoint: a run's record, e.g. for the offline trainer's summary. Grows by
 * doubling (allocation only then); 4 bytes per scored token.
 */
public final class BitsLog {
  private float[] bits = new float[1 << 10];
  private int size;

  public void add(double b) {
    if (size == bits.length) bits = Arrays.copyOf(bits, 2 * size);
    bits[size++] = (float) b;
  }

  public int size() {
    return size;
  }

  public double get(int i) {
    if (i >= size) throw new IndexOutOfBoundsException(i + " >= " + size);
    return bits[i];
  }
}
