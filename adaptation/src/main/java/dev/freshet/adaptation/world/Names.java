package dev.freshet.adaptation.world;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Invents names from a consonant-vowel(-consonant) syllable inventory so that no pretrained model can know
 * them. Every word is used once in the whole world (first names, surnames, places, regions, organisation and
 * product stems), which keeps every name and every question unambiguous.
 */
final class Names {
  private static final String[] ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
      "br", "dr", "kr", "tr", "gr", "st"};
  private static final String[] VOWELS = {"a", "e", "i", "o", "u"};
  // Empty codas are repeated so open syllables (easier to read) are the most common.
  private static final String[] CODAS = {"", "", "", "", "n", "r", "l", "k", "m", "x", "s"};
  private static final String[] MODEL_LETTERS = {"X", "V", "Z", "K", "R", "T"};

  /**
   * English words that the inventory can spell. A candidate containing any of them anywhere is rejected, so
   * a name never reads as, or starts from, a real word the model already has meanings for.
   */
  static final List<String> BLACKLIST = List.of("ban", "bad", "bed", "bet", "bid", "big", "bin", "bit", "bog",
      "bud", "bum", "bun", "bus", "dam", "den", "did", "die", "dig", "dim", "din", "dog", "don", "dot", "dub",
      "dud", "dug", "fan", "fat", "fed", "fig", "fin", "fit", "fun", "fur", "gas", "get", "god", "gum", "gun",
      "gut", "kid", "kin", "kit", "lab", "lad", "lag", "led", "leg", "let", "lid", "lip", "lit", "log", "lot",
      "mad", "man", "map", "mat", "men", "mob", "mom", "mud", "mug", "mum", "nag", "net", "nil", "nun", "nut",
      "pad", "pal", "pan", "pat", "peg", "pen", "pet", "pig", "pin", "pit", "pod", "pot", "pub", "pun", "put",
      "rag", "ram", "rat", "red", "rib", "rid", "rim", "rob", "rod", "rot", "rub", "rug", "rum", "run", "sad",
      "sat", "sex", "sin", "sir", "sit", "sob", "son", "sum", "sun", "tab", "tan", "tap", "tar", "ten", "tin",
      "tip", "ton", "top", "tub", "tug", "vat", "vet", "zip", "sol", "kill", "dull", "fool", "bone", "done",
      "gone", "line", "mine", "nine", "pine", "time", "tone", "zone", "made", "mode", "note", "rose", "rule",
      "sale", "sole", "tale", "vote", "bake", "make", "take", "like", "bike", "lake", "base", "case", "data",
      "later", "never", "under", "over", "water", "paper", "river", "lemon", "melon", "robot", "model",
      "total", "metal", "salad", "tiger", "pilot", "solid", "debate", "parade", "banana", "tomato", "potato",
      "sofa", "radio", "piano", "video", "dino", "kilo", "limo", "memo", "demo", "polo", "solo", "tuna",
      "puma", "lava", "nova", "sex", "fuk", "dix", "nazi");

  private final SplittableRandom rng;
  // Membership only; never iterated, so its order cannot leak into the output.
  private final Set<String> used = new HashSet<>();
  private final List<String> issued = new ArrayList<>();

  Names(SplittableRandom rng) {
    this.rng = rng;
  }

  /** A fresh capitalised word of 2-3 syllables, never issued before. */
  String word() {
    while (true) {
      int syllables = rng.nextInt(10) < 6 ? 2 : 3;
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < syllables; i++) {
        b.append(ONSETS[rng.nextInt(ONSETS.length)]).append(VOWELS[rng.nextInt(VOWELS.length)]);
        b.append(CODAS[rng.nextInt(CODAS.length)]);
      }
      String w = b.toString();
      if (w.length() < 4 || w.length() > 10 || isBlacklisted(w) || !used.add(w)) {
        continue;
      }
      return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }
  }

  static boolean isBlacklisted(String word) {
    String lower = word.toLowerCase(Locale.ROOT);
    for (String bad : BLACKLIST) {
      if (lower.contains(bad)) {
        return true;
      }
    }
    return false;
  }

  String person() {
    return issue(word() + " " + word());
  }

  String org() {
    return issue(word() + " " + Relation.ORG_SUFFIXES.get(rng.nextInt(Relation.ORG_SUFFIXES.size())));
  }

  String place() {
    return issue(word());
  }

  String region() {
    return issue(word());
  }

  /** A stem, with a model number about half the time ("Zumbrix 40", "Korvan X2"). */
  String product() {
    String stem = word();
    return issue(switch (rng.nextInt(4)) {
      case 0 -> stem + " " + (10 + rng.nextInt(90));
      case 1 -> stem + " " + MODEL_LETTERS[rng.nextInt(MODEL_LETTERS.length)] + (1 + rng.nextInt(9));
      default -> stem;
    });
  }

  private String issue(String name) {
    issued.add(name);
    return name;
  }

  /** Every name issued so far, in order of issue. */
  List<String> issued() {
    return List.copyOf(issued);
  }
}
