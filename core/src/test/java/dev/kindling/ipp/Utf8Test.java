package dev.kindling.ipp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

class Utf8Test {
    private static boolean javaSays(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void theEdgesOfTheStandard() {
        assertThat(Utf8.isValid(new byte[0])).isTrue();
        assertThat(Utf8.isValid(null)).isTrue();
        assertThat(Utf8.isValid("plain ascii, longer than eight bytes".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Utf8.isValid("grüße, 日本語, 🔥 and back to ascii".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Utf8.isValid(bytes(0xC3, 0x28))).as("a bad continuation").isFalse();
        assertThat(Utf8.isValid(bytes(0xC0, 0xAF))).as("an overlong '/'").isFalse();
        assertThat(Utf8.isValid(bytes(0xE0, 0x80, 0xAF))).as("an overlong three-byte form").isFalse();
        assertThat(Utf8.isValid(bytes(0xED, 0xA0, 0x80))).as("a surrogate").isFalse();
        assertThat(Utf8.isValid(bytes(0xF4, 0x90, 0x80, 0x80))).as("above U+10FFFF").isFalse();
        assertThat(Utf8.isValid(bytes(0xF0, 0x9F, 0x94))).as("cut short").isFalse();
        assertThat(Utf8.isValid(bytes('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x80))).as("a lone continuation after eight ASCII").isFalse();
        assertThat(Utf8.isValid(bytes(0xFF))).isFalse();
    }

    @Test
    void agreesWithJavasDecoderAndSparksCheckOnRandomBytes() {
        SplittableRandom random = new SplittableRandom(7);
        int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF,
                0xF0, 0xF4, 0xF5, 0xFF};
        int invalid = 0;
        for (int n = 0; n < 200_000; n++) {
            byte[] b;
            if (random.nextBoolean()) { // well-formed text of 1- to 4-byte characters, sometimes with one byte changed
                StringBuilder t = new StringBuilder();
                for (int i = random.nextInt(12); i > 0; i--) {
                    int[] ranges = {0x7F, 0x7FF, 0xD7FF, 0x10FFFF};
                    int cp = random.nextInt(ranges[random.nextInt(4)] + 1);
                    t.appendCodePoint(cp >= 0xD800 && cp <= 0xDFFF ? 'x' : cp);
                }
                b = t.toString().getBytes(StandardCharsets.UTF_8);
                if (b.length > 0 && random.nextInt(4) == 0) {
                    b[random.nextInt(b.length)] = (byte) interesting[random.nextInt(interesting.length)];
                }
            } else {
                b = new byte[random.nextInt(24)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (random.nextInt(3) == 0 ? interesting[random.nextInt(interesting.length)]
                            : random.nextBoolean() ? 0x20 + random.nextInt(0x5F) : 0x80 + random.nextInt(0x40));
                }
            }
            boolean expected = javaSays(b);
            assertThat(Utf8.isValid(b)).as("bytes %s", java.util.Arrays.toString(b)).isEqualTo(expected);
            assertThat(UTF8String.fromBytes(b).isValid()).as("Spark on %s", java.util.Arrays.toString(b)).isEqualTo(expected);
            invalid += expected ? 0 : 1;
        }
        assertThat(invalid).as("the sample has both kinds").isBetween(20_000, 180_000);
    }
}
