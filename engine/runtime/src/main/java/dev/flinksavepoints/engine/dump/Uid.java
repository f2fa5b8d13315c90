package dev.flinksavepoints.engine.dump;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/** The operator id Flink derives from a uid (StreamGraphHasherV2: murmur3_128 with seed 0 over the UTF-8 uid). */
final class Uid {
    private Uid() {}

    static String hash(String uid) {
        for (int v = 40; v >= 18; v--) {
            try {
                Class<?> hashing = Class.forName("org.apache.flink.shaded.guava" + v + ".com.google.common.hash.Hashing");
                Object fn = hashing.getMethod("murmur3_128", int.class).invoke(null, 0);
                Method hashString = fn.getClass().getMethod("hashString", CharSequence.class, java.nio.charset.Charset.class);
                hashString.setAccessible(true);
                Object code = hashString.invoke(fn, uid, StandardCharsets.UTF_8);
                Method asBytes = code.getClass().getMethod("asBytes");
                asBytes.setAccessible(true);
                return Json.hex((byte[]) asBytes.invoke(code));
            } catch (ClassNotFoundException e) {
                // try the next shaded guava version
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }
        return null;
    }
}
