package dev.freshet.streams.codec;

/**
 * Size limits the codec enforces on incoming records.
 *
 * @param maxTextBytes the most UTF-8 bytes one text field may hold (a document's text, an edit's
 *     prompt, target, each paraphrase and each neighbor field); longer fields are rejected with
 *     {@link dev.freshet.streams.record.Reason#TOO_LARGE} rather than truncated, since a truncated
 *     document would teach the model a fact cut in half
 */
public record CodecLimits(int maxTextBytes) {

    /** 64 KiB per text field. */
    public static final CodecLimits DEFAULT = new CodecLimits(65_536);

    /** @throws IllegalArgumentException if the limit is below 1 */
    public CodecLimits {
        if (maxTextBytes < 1) {
            throw new IllegalArgumentException("maxTextBytes must be at least 1, got " + maxTextBytes);
        }
    }
}
