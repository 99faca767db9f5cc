package dev.freshet.streams.codec.internal;

/** UTF-8 sizes without encoding: limits are checked on every text field of every record. */
public final class Utf8 {

    private Utf8() {}

    /** The number of bytes {@code s} takes in UTF-8 (an unpaired surrogate counts as its 3-byte replacement). */
    public static long length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
