package io.streamvec.model;

import java.util.Arrays;
import org.ejml.data.FMatrixRMaj;

/**
 * A (rows, cols) float matrix held in blocks of R consecutive rows: block i holds rows [i R, min((i
 * + 1) R, rows)), row-major, in an array of its own. Blocks are never written after they are handed
 * in, so successive versions of a model share the blocks that did not change (a snapshot reader
 * decodes and allocates only the blocks a version changed). A matrix in one piece is one block of R
 * = rows that wraps its data without copying.
 */
public final class RowBlocks {
  public final int rows, cols, rowsPerBlock;
  private final float[][] blocks;

  /** blocks[i] holds at least blockRows(i) * cols floats; the arrays are taken, not copied. */
  public RowBlocks(int rows, int cols, int rowsPerBlock, float[][] blocks) {
    if (rows < 0 || cols < 0 || rowsPerBlock < 1 || blocks.length != count(rows, rowsPerBlock))
      throw new IllegalArgumentException(
          rows + " rows in blocks of " + rowsPerBlock + " are not " + blocks.length + " blocks");
    this.rows = rows;
    this.cols = cols;
    this.rowsPerBlock = rowsPerBlock;
    this.blocks = blocks.clone();
    for (int i = 0; i < blocks.length; i++)
      if (blocks[i].length < (long) blockRows(i) * cols)
        throw new IllegalArgumentException("row block " + i + " is too short");
  }

  /** m's rows as one block over m.data (no copy). */
  public static RowBlocks of(FMatrixRMaj m) {
    if (m.numRows == 0) return new RowBlocks(0, m.numCols, 1, new float[0][]);
    return new RowBlocks(m.numRows, m.numCols, m.numRows, new float[][] {m.data});
  }

  /** Blocks of r rows for a matrix of v rows. */
  public static int count(int v, int r) {
    return (int) ((v + (long) r - 1) / r);
  }

  public int blockCount() {
    return blocks.length;
  }

  /** The array of block i (read only). */
  public float[] block(int i) {
    return blocks[i];
  }

  /** Rows in block i: R, or fewer for the last. */
  public int blockRows(int i) {
    return Math.min(rowsPerBlock, rows - i * rowsPerBlock);
  }

  public float get(int row, int col) {
    return blocks[row / rowsPerBlock][(row % rowsPerBlock) * cols + col];
  }

  /** Copies row into dst[at, at + cols). */
  public void copyRow(int row, float[] dst, int at) {
    System.arraycopy(blocks[row / rowsPerBlock], (row % rowsPerBlock) * cols, dst, at, cols);
  }

  /** Copies rows [from, from + n) into dst from dst[at], row-major. */
  public void copyRows(int from, int n, float[] dst, int at) {
    for (int r = from; r < from + n; ) {
      int b = r / rowsPerBlock, inBlock = r % rowsPerBlock;
      int k = Math.min(from + n - r, blockRows(b) - inBlock);
      System.arraycopy(blocks[b], inBlock * cols, dst, at + (r - from) * cols, k * cols);
      r += k;
    }
  }

  /** The whole matrix in one new array. */
  public FMatrixRMaj toMatrix() {
    FMatrixRMaj m = new FMatrixRMaj(rows, cols);
    copyRows(0, rows, m.data, 0);
    return m;
  }

  /** Same shape and the same floats bit for bit (however the two are cut into blocks)? */
  public boolean sameData(RowBlocks o) {
    if (rows != o.rows || cols != o.cols) return false;
    for (int r = 0; r < rows; r++) {
      int a = (r % rowsPerBlock) * cols, b = (r % o.rowsPerBlock) * cols;
      if (!Arrays.equals(
          blocks[r / rowsPerBlock], a, a + cols, o.blocks[r / o.rowsPerBlock], b, b + cols))
        return false;
    }
    return true;
  }
}
