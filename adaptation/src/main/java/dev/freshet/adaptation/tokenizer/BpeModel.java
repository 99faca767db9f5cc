package dev.freshet.adaptation.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The BPE model proper: a vocabulary, ranked merges, and the merge loop that turns one pre-token (a string
 * of {@link ByteLevel} characters) into ids. Results are cached per pre-token because natural text repeats
 * the same words over and over, which makes the cache, not the merge loop, the common path.
 */
final class BpeModel {

  /** Pre-token ids plus, per id, the [start,end) range of the pre-token's bytes it covers. */
  record Pieces(int[] ids, int[] byteStart, int[] byteEnd) {}

  private static final int CACHE_ENTRIES = 65_536;
  /** Longer pre-tokens (runs of spaces, base64 blobs) are rare and would crowd out the useful entries. */
  private static final int CACHE_MAX_WORD = 256;

  private final Map<String, Integer> vocab;
  private final List<String[]> merges;
  private final Map<Long, Integer> rankOfPair = new HashMap<>();
  private final int[] mergedIdOfRank;
  private final int[] idOfByte = new int[256];
  private final String unkToken;
  private final int unkId;
  private final boolean fuseUnk;
  private final boolean ignoreMerges;
  private final Map<String, Pieces> cache =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pieces> eldest) {
          return size() > CACHE_ENTRIES;
        }
      };

  /**
   * @param vocab token to id; the caller keeps no reference to it
   * @param merges pairs in rank order; each part and their concatenation must be in {@code vocab}
   * @param unkToken id used for a byte missing from the vocabulary, or null to drop such bytes (as HF does)
   */
  BpeModel(Map<String, Integer> vocab, List<String[]> merges, String unkToken, boolean fuseUnk,
      boolean ignoreMerges) {
    this.vocab = vocab;
    this.merges = List.copyOf(merges);
    this.unkToken = unkToken;
    this.fuseUnk = fuseUnk;
    this.ignoreMerges = ignoreMerges;
    this.unkId = unkToken == null ? -1 : vocab.getOrDefault(unkToken, -1);
    mergedIdOfRank = new int[merges.size()];
    for (int rank = 0; rank < merges.size(); rank++) {
      String[] pair = merges.get(rank);
      int left = idOrThrow(pair[0], pair);
      int right = idOrThrow(pair[1], pair);
      mergedIdOfRank[rank] = idOrThrow(pair[0] + pair[1], pair);
      // A pair listed twice takes its last rank, as in HF, whose merge map is built by overwriting.
      rankOfPair.put(key(left, right), rank);
    }
    for (int b = 0; b < 256; b++) {
      idOfByte[b] = vocab.getOrDefault(String.valueOf(ByteLevel.toChar(b)), -1);
    }
  }

  private int idOrThrow(String token, String[] pair) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException(
          "merge \"" + pair[0] + " " + pair[1] + "\" uses \"" + token + "\", which is not in the vocab");
    }
    return id;
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  Map<String, Integer> vocab() {
    return vocab;
  }

  List<String[]> merges() {
    return merges;
  }

  String unkToken() {
    return unkToken;
  }

  boolean fuseUnk() {
    return fuseUnk;
  }

  boolean ignoreMerges() {
    return ignoreMerges;
  }

  /** Tokenizes one pre-token, given in {@link ByteLevel} characters. */
  Pieces encodeWord(String word) {
    boolean cacheable = word.length() <= CACHE_MAX_WORD;
    if (cacheable) {
      synchronized (cache) {
        Pieces hit = cache.get(word);
        if (hit != null) {
          return hit;
        }
      }
    }
    Pieces pieces = merge(word);
    if (cacheable) {
      synchronized (cache) {
        cache.put(word, pieces);
      }
    }
    return pieces;
  }

  private Pieces merge(String word) {
    Integer whole = ignoreMerges ? vocab.get(word) : null;
    if (whole != null) {
      return new Pieces(new int[] {whole}, new int[] {0}, new int[] {word.length()});
    }
    int n = word.length();
    // Symbols form a linked list over the byte positions; a merge keeps the left slot and unlinks the right.
    int[] sym = new int[n];
    int[] start = new int[n];
    int[] end = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      int b = ByteLevel.toByte(word.charAt(i));
      int id = b < 0 ? -1 : idOfByte[b];
      if (id < 0) {
        if (unkId < 0) {
          continue;
        }
        if (fuseUnk && count > 0 && sym[count - 1] == unkId) {
          end[count - 1] = i + 1;
          continue;
        }
        id = unkId;
      }
      sym[count] = id;
      start[count] = i;
      end[count] = i + 1;
      count++;
    }
    int[] next = new int[count];
    int[] prev = new int[count];
    boolean[] dead = new boolean[count];
    LongHeap heap = new LongHeap(Math.max(count, 1));
    for (int i = 0; i < count; i++) {
      next[i] = i + 1 < count ? i + 1 : -1;
      prev[i] = i - 1;
      pushPair(heap, sym, next, i);
    }
    // Lowest rank first, leftmost among equals; entries made stale by earlier merges are skipped.
    while (!heap.isEmpty()) {
      long entry = heap.poll();
      int rank = (int) (entry >>> 32);
      int left = (int) entry;
      int right = dead[left] ? -1 : next[left];
      if (right < 0 || rankOf(sym[left], sym[right]) != rank) {
        continue;
      }
      sym[left] = mergedIdOfRank[rank];
      end[left] = end[right];
      dead[right] = true;
      next[left] = next[right];
      if (next[right] >= 0) {
        prev[next[right]] = left;
      }
      if (prev[left] >= 0) {
        pushPair(heap, sym, next, prev[left]);
      }
      pushPair(heap, sym, next, left);
    }
    int alive = 0;
    for (int i = 0; i < count; i++) {
      if (!dead[i]) {
        sym[alive] = sym[i];
        start[alive] = start[i];
        end[alive] = end[i];
        alive++;
      }
    }
    return new Pieces(Arrays.copyOf(sym, alive), Arrays.copyOf(start, alive), Arrays.copyOf(end, alive));
  }

  private void pushPair(LongHeap heap, int[] sym, int[] next, int left) {
    if (next[left] >= 0) {
      int rank = rankOf(sym[left], sym[next[left]]);
      if (rank >= 0) {
        heap.add(((long) rank << 32) | left);
      }
    }
  }

  private int rankOf(int left, int right) {
    Integer rank = rankOfPair.get(key(left, right));
    return rank == null ? -1 : rank;
  }

  /** A binary min-heap of longs; {@link java.util.PriorityQueue} would box every entry. */
  private static final class LongHeap {
    private long[] items;
    private int size;

    LongHeap(int capacity) {
      items = new long[capacity];
    }

    boolean isEmpty() {
      return size == 0;
    }

    void add(long item) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
      }
      int i = size++;
      while (i > 0 && items[(i - 1) / 2] > item) {
        items[i] = items[(i - 1) / 2];
        i = (i - 1) / 2;
      }
      items[i] = item;
    }

    long poll() {
      long top = items[0];
      long last = items[--size];
      int i = 0;
      while (2 * i + 1 < size) {
        int child = 2 * i + 1;
        if (child + 1 < size && items[child + 1] < items[child]) {
          child++;
        }
        if (items[child] >= last) {
          break;
        }
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
      return top;
    }
  }
}
