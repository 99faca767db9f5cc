package dev.freshet.adaptation.camels;

import dev.freshet.adaptation.model.LanguageModel;
import dev.freshet.adaptation.tokenizer.Encoding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A document as the base model reads it during online learning: the start token, then the text's tokens, each
 * with the characters of the text it covers, so a rule-based weighting can find the tokens of a name.
 *
 * <p>Token {@code i} covers UTF-16 chars {@code [charStart[i], charEnd[i])} of {@link #text}; the start token
 * covers nothing ({@code [0, 0)}). A weight vector for this document has one entry per token, and entry {@code i}
 * scales the loss of predicting token {@code i} (CaMeLS, arXiv 2305.15076 §3), so entry 0 is ignored.
 *
 * <p>A document longer than a model's context is read as {@link #windows} that each start with the start token;
 * online learning takes one step over all of a document's windows together.
 *
 * @param startToken the id every window starts with, or −1 when the model has none
 * @param truncated whether the text had more tokens than fit and its tail was dropped
 */
public record DocumentTokens(String text, int[] ids, int[] charStart, int[] charEnd, int startToken, boolean truncated) {

    public DocumentTokens {
        if (ids.length != charStart.length || ids.length != charEnd.length) {
            throw new IllegalArgumentException("ids and offsets differ in length");
        }
    }

    /**
     * Tokenises {@code text} with the model's tokenizer and start token, keeping at most {@code maxTokens} tokens
     * (the start token included).
     */
    public static DocumentTokens of(LanguageModel model, String text, int maxTokens) {
        Encoding e = model.tokenizer().encodeWithOffsets(text);
        int start = model.startToken();
        int lead = start >= 0 ? 1 : 0;
        int n = Math.min(e.size() + lead, maxTokens);
        int[] ids = new int[n];
        int[] from = new int[n];
        int[] to = new int[n];
        if (lead == 1) {
            ids[0] = start;
        }
        for (int i = lead; i < n; i++) {
            ids[i] = e.ids()[i - lead];
            from[i] = e.charStart()[i - lead];
            to[i] = e.charEnd()[i - lead];
        }
        return new DocumentTokens(text, ids, from, to, start, e.size() + lead > n);
    }

    /** {@link #of(LanguageModel, String, int)} limited by the model's context length. */
    public static DocumentTokens of(LanguageModel model, String text) {
        return of(model, text, model.config().maxPositions());
    }

    /** Every token of the text, however long (split it with {@link #windows} before a forward pass). */
    public static DocumentTokens full(LanguageModel model, String text) {
        return of(model, text, Integer.MAX_VALUE);
    }

    /**
     * Consecutive windows of at most {@code maxTokens} tokens covering every token once: the first is the start of
     * this document; each later one is the start token followed by the next {@code maxTokens − 1} tokens. Offsets
     * still point into the whole text.
     */
    public List<DocumentTokens> windows(int maxTokens) {
        if (ids.length <= maxTokens) {
            return List.of(this);
        }
        int lead = startToken >= 0 ? 1 : 0;
        if (maxTokens <= lead) {
            throw new IllegalArgumentException("a window of " + maxTokens + " tokens holds no text");
        }
        List<DocumentTokens> out = new ArrayList<>();
        out.add(slice(0, maxTokens, false));
        for (int from = maxTokens; from < ids.length; from += maxTokens - lead) {
            out.add(slice(from, Math.min(ids.length, from + maxTokens - lead), lead == 1));
        }
        return out;
    }

    private DocumentTokens slice(int from, int to, boolean withStart) {
        int n = to - from + (withStart ? 1 : 0);
        int[] i = new int[n];
        int[] s = new int[n];
        int[] e = new int[n];
        int at = 0;
        if (withStart) {
            i[at++] = startToken;
        }
        System.arraycopy(ids, from, i, at, to - from);
        System.arraycopy(charStart, from, s, at, to - from);
        System.arraycopy(charEnd, from, e, at, to - from);
        return new DocumentTokens(text, i, s, e, startToken, truncated);
    }

    /** Number of tokens, the start token included. */
    public int length() {
        return ids.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DocumentTokens d && d.text.equals(text) && Arrays.equals(d.ids, ids);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "DocumentTokens[" + ids.length + " tokens" + (truncated ? ", truncated" : "") + "]";
    }
}
