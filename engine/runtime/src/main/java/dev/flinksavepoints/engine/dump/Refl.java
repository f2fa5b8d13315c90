package dev.flinksavepoints.engine.dump;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/** Reflection helpers for private fields of Flink serializers. */
final class Refl {
    private Refl() {}

    static Object get(Object o, String name) {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // try the superclass
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no field " + name + " in " + o.getClass().getName());
    }

    static Object call(Object o, String name, Object... args) {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                    try {
                        m.setAccessible(true);
                        return m.invoke(o, args);
                    } catch (ReflectiveOperationException e) {
                        Throwable t = e.getCause() != null ? e.getCause() : e;
                        if (t instanceof RuntimeException) throw (RuntimeException) t;
                        throw new IllegalStateException(t);
                    }
                }
            }
        }
        throw new IllegalStateException("no method " + name + " in " + o.getClass().getName());
    }
}
