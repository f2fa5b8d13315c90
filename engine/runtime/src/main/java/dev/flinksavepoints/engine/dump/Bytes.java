package dev.flinksavepoints.engine.dump;

/** Unsigned lexicographic byte comparison, shorter first on a common prefix. */
final class Bytes {
    private Bytes() {}

    static int compare(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int c = (a[i] & 0xFF) - (b[i] & 0xFF);
            if (c != 0) return c;
        }
        return a.length - b.length;
    }
}
