package dev.kindling.ipp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The decoders' UTF-8 check: whether bytes are well-formed UTF-8 as the Unicode standard defines it (no
 * overlong forms, no surrogates, nothing above U+10FFFF; the same answer as Spark's {@code is_valid_utf8}).
 * Eight ASCII bytes are checked at a time, which is most of a typical record; Spark's own check reads one
 * byte at a time and was most of the text decoder's cost.
 */
final class Utf8 {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /** Whether {@code b} is well-formed UTF-8; null is (the decoders check null apart). */
    static boolean isValid(byte[] b) {
        if (b == null) {
            return true;
        }
        int n = b.length;
        int i = 0;
        while (i < n) {
            while (i + 8 <= n && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                i += 8;
            }
            if (i >= n) {
                return true;
            }
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
            } else if (c < 0xC2) {
                return false; // a continuation byte without a lead, or an overlong two-byte form
            } else if (c < 0xE0) {
                if (i + 1 >= n || !continuation(b[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= n) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                boolean second = c == 0xE0 ? c1 >= 0xA0 && c1 <= 0xBF  // not overlong
                        : c == 0xED ? c1 >= 0x80 && c1 <= 0x9F         // not a surrogate
                        : continuation(b[i + 1]);
                if (!second || !continuation(b[i + 2])) {
                    return false;
                }
                i += 3;
            } else if (c < 0xF5) {
                if (i + 3 >= n) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                boolean second = c == 0xF0 ? c1 >= 0x90 && c1 <= 0xBF  // not overlong
                        : c == 0xF4 ? c1 >= 0x80 && c1 <= 0x8F         // not above U+10FFFF
                        : continuation(b[i + 1]);
                if (!second || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
                    return false;
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
