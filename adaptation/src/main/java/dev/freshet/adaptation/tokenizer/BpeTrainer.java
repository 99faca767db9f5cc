package dev.freshet.adaptation.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Trains a byte-level BPE tokenizer from text, so that the project can make tokenizers for its own data
 * without Python. Training is deterministic: the same texts, size and special tokens give a byte-identical
 * {@link BpeTokenizer#toJson()}.
 *
 * <p>Texts are split around the special tokens, pre-tokenized with the GPT-2 pattern, and counted. Then the
 * most frequent adjacent pair of symbols is merged, again and again; ties go to the pair whose left, then
 * right, symbol is smaller as a string. Pair counts are updated incrementally, touching only the words that
 * contain the merged pair, so training cost follows the amount of merging rather than merges times corpus.
 */
public final class BpeTrainer {

  /** A pair's count and the words it occurs in; the list may also name words that no longer hold it. */
  private static final class PairStat {
    long count;
    final IntList words = new IntList(4);

    void addWord(int word) {
      if (words.size() == 0 || words.get(words.size() - 1) != word) {
        words.add(word);
      }
    }
  }

  /** A heap entry; its count may be stale (too high) and is checked when it reaches the top. */
  private record Candidate(long count, int left, int right) {}

  private final List<String> tokens = new ArrayList<>();
  private final Map<String, Integer> ids = new HashMap<>();
  private final Map<Long, PairStat> pairs = new HashMap<>();
  private int[][] words;
  private long[] frequency;

  private BpeTrainer() {}

  /**
   * Trains a tokenizer. Special tokens get ids 0..k-1 and are never learned from the text; then come the 256
   * byte symbols in byte order, then one id per merge that makes a new string, until {@code vocabSize}
   * tokens exist or no pair occurs twice.
   *
   * @throws IllegalArgumentException if {@code vocabSize} is below k + 256 or the special tokens are empty,
   *     repeated, or clash with a byte symbol
   */
  public static BpeTokenizer train(Iterable<String> texts, int vocabSize, List<String> specialTokens) {
    if (vocabSize < specialTokens.size() + 256) {
      throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the " + specialTokens.size()
          + " special tokens plus 256 byte symbols");
    }
    BpeTrainer trainer = new BpeTrainer();
    List<AddedTokens.Token> specials = new ArrayList<>();
    for (String special : specialTokens) {
      if (special.isEmpty()) {
        throw new IllegalArgumentException("special tokens must not be empty");
      }
      specials.add(new AddedTokens.Token(trainer.tokens.size(), special, false, false, false, false, true));
      trainer.addToken(special);
    }
    for (int b = 0; b < 256; b++) {
      trainer.addToken(String.valueOf(ByteLevel.toChar(b)));
    }
    AddedTokens added = new AddedTokens(specials);
    trainer.count(texts, added, specialTokens.size());
    List<String[]> merges = trainer.merge(vocabSize);
    BpeModel model = new BpeModel(new HashMap<>(trainer.ids), merges, null, false, false);
    return new BpeTokenizer(model, added, PreTokenizer.gpt2(), false, TokenizerJson.byteLevelPostProcessor());
  }

  private int addToken(String token) {
    if (ids.putIfAbsent(token, tokens.size()) != null) {
      throw new IllegalArgumentException("special token \"" + token + "\" is repeated or is a byte symbol");
    }
    tokens.add(token);
    return tokens.size() - 1;
  }

  /** Counts distinct pre-tokens, turns each into byte symbol ids, and builds the initial pair counts. */
  private void count(Iterable<String> texts, AddedTokens added, int firstByteId) {
    Map<String, long[]> counts = new HashMap<>();
    PreTokenizer pre = PreTokenizer.gpt2();
    for (String text : texts) {
      added.split(text, (start, end, addedId) -> {
        if (addedId < 0) {
          pre.split(text, start, end,
              (a, b, prefixSpace) -> counts.computeIfAbsent(text.substring(a, b), k -> new long[1])[0]++);
        }
      });
    }
    // Sorted, so that word numbering (and with it every later step) does not depend on hash order.
    List<String> distinct = new ArrayList<>(counts.keySet());
    distinct.sort(Comparator.naturalOrder());
    words = new int[distinct.size()][];
    frequency = new long[distinct.size()];
    for (int w = 0; w < words.length; w++) {
      byte[] bytes = distinct.get(w).getBytes(StandardCharsets.UTF_8);
      words[w] = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        words[w][i] = firstByteId + (bytes[i] & 0xFF);
      }
      frequency[w] = counts.get(distinct.get(w))[0];
      for (int i = 0; i + 1 < bytes.length; i++) {
        PairStat stat = pairs.computeIfAbsent(key(words[w][i], words[w][i + 1]), k -> new PairStat());
        stat.count += frequency[w];
        stat.addWord(w);
      }
    }
  }

  private List<String[]> merge(int vocabSize) {
    Comparator<Candidate> order = Comparator.comparingLong((Candidate c) -> -c.count())
        .thenComparing(c -> tokens.get(c.left()))
        .thenComparing(c -> tokens.get(c.right()));
    PriorityQueue<Candidate> heap = new PriorityQueue<>(order);
    pairs.forEach((key, stat) -> offer(heap, key));
    List<String[]> merges = new ArrayList<>();
    int[] seenInMerge = new int[words.length];
    while (tokens.size() < vocabSize && !heap.isEmpty()) {
      Candidate top = heap.poll();
      long key = key(top.left(), top.right());
      PairStat stat = pairs.get(key);
      long actual = stat == null ? 0 : stat.count;
      if (actual != top.count()) {
        // Counts only fall while a pair waits in the heap, so re-queue it at its true count.
        offer(heap, key);
        continue;
      }
      String merged = tokens.get(top.left()) + tokens.get(top.right());
      Integer existing = ids.get(merged);
      int newId = existing != null ? existing : addUnchecked(merged);
      merges.add(new String[] {tokens.get(top.left()), tokens.get(top.right())});
      Set<Long> created = new LinkedHashSet<>();
      for (int i = 0; i < stat.words.size(); i++) {
        int w = stat.words.get(i);
        if (seenInMerge[w] != merges.size()) {
          seenInMerge[w] = merges.size();
          applyMerge(w, top.left(), top.right(), newId, created);
        }
      }
      pairs.remove(key);
      created.forEach(k -> offer(heap, k));
    }
    return merges;
  }

  private int addUnchecked(String token) {
    ids.put(token, tokens.size());
    tokens.add(token);
    return tokens.size() - 1;
  }

  /** Queues a pair if it can still win: a pair seen once is never merged. */
  private void offer(PriorityQueue<Candidate> heap, long key) {
    PairStat stat = pairs.get(key);
    if (stat != null && stat.count >= 2) {
      heap.add(new Candidate(stat.count, (int) (key >>> 32), (int) key));
    }
  }

  /** Rewrites one word with left+right merged, left to right, and moves its counts to the new pairs. */
  private void applyMerge(int w, int left, int right, int newId, Set<Long> created) {
    int[] symbols = words[w];
    long f = frequency[w];
    IntList out = new IntList(symbols.length);
    for (int i = 0; i < symbols.length; i++) {
      if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
        // The previous symbol is read from the output, so that back-to-back merges see each other.
        if (out.size() > 0) {
          int prev = out.get(out.size() - 1);
          change(key(prev, left), -f, w, created);
          change(key(prev, newId), f, w, created);
        }
        if (i + 2 < symbols.length) {
          change(key(right, symbols[i + 2]), -f, w, created);
          change(key(newId, symbols[i + 2]), f, w, created);
        }
        out.add(newId);
        i++;
      } else {
        out.add(symbols[i]);
      }
    }
    words[w] = out.toArray();
  }

  private void change(long key, long delta, int word, Set<Long> created) {
    PairStat stat = pairs.computeIfAbsent(key, k -> new PairStat());
    stat.count += delta;
    if (delta > 0) {
      stat.addWord(word);
      created.add(key);
    } else if (stat.count <= 0) {
      pairs.remove(key);
    }
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }
}
