package org.keyprov.web.api;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;

/** Generic answer types for the operation table, e.g. {@code Page<DeviceRow>}. */
final class Types {
  private Types() {}

  /** {@code raw<args…>}. */
  record Of(Class<?> raw, Type... args) implements ParameterizedType {
    @Override
    public Type[] getActualTypeArguments() {
      return args.clone();
    }

    @Override
    public Type getRawType() {
      return raw;
    }

    @Override
    public Type getOwnerType() {
      return null;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Of other && raw == other.raw && Arrays.equals(args, other.args);
    }

    @Override
    public int hashCode() {
      return raw.hashCode() * 31 + Arrays.hashCode(args);
    }

    @Override
    public String toString() {
      return raw.getSimpleName() + Arrays.toString(args);
    }
  }
}
