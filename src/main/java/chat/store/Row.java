package chat.store;

import java.util.Arrays;

/** One row of a result, its columns by position (from 0), read while the statement was open. */
public final class Row {
  private final Object[] values;

  Row(Object[] values) {
    this.values = values;
  }

  public Object getValue(int i) {
    return values[i];
  }

  public String getString(int i) {
    Object v = values[i];
    return v == null ? null : v.toString();
  }

  public Long getLong(int i) {
    Object v = values[i];
    return v == null ? null : ((Number) v).longValue();
  }

  public Integer getInteger(int i) {
    Object v = values[i];
    return v == null ? null : ((Number) v).intValue();
  }

  /** The columns from {@code from} on, as a row of their own. */
  Row from(int from) {
    return new Row(Arrays.copyOfRange(values, from, values.length));
  }

  public int size() {
    return values.length;
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
