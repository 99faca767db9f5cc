package dev.freshet.adaptation.world;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded synthetic knowledge world: an old world the default model is pretrained on, a stream of documents
 * that add entities or change old facts, fact edits, and held-out probes. Everything derives from
 * {@code SplittableRandom(seed)} and ordered collections only, so one seed always gives byte-identical output.
 *
 * <p>Each old fact lands in exactly one of: held-out QA (~15%, its QA form never in pretraining), changed by
 * one document, edited once, or stable (trained and never changed). Neighbors of edits, {@link #stableQa()}
 * and {@link #heldOutTexts()} use only facts that nothing changes, so they stay true after the whole stream.
 */
public final class World {
  static final double HELD_OUT_SHARE = 0.15;
  /** Trained facts kept out of every change, so forgetting can be measured on facts that should not move. */
  static final double STABLE_RESERVE = 0.20;

  private final long seed;
  private final WorldSize size;
  private final List<Fact> oldFacts;
  private final List<String> names;
  private final List<String> pretrainingTexts;
  private final List<QaPair> pretrainingQa;
  private final List<QaPair> heldOutQa;
  private final List<QaPair> stableQa;
  private final List<String> heldOutTexts;
  private final List<WorldDocument> documents;
  private final List<List<String>> informative;
  private final List<WorldEdit> edits;

  private World(long seed, WorldSize size, OldWorld old, Names names, List<String> pretrainingTexts,
      List<QaPair> pretrainingQa, List<QaPair> heldOutQa, List<QaPair> stableQa, List<String> heldOutTexts,
      Documents.Built docs, List<WorldEdit> edits) {
    this.seed = seed;
    this.size = size;
    this.oldFacts = List.copyOf(old.facts);
    this.names = names.issued();
    this.pretrainingTexts = List.copyOf(pretrainingTexts);
    this.pretrainingQa = List.copyOf(pretrainingQa);
    this.heldOutQa = List.copyOf(heldOutQa);
    this.stableQa = List.copyOf(stableQa);
    this.heldOutTexts = List.copyOf(heldOutTexts);
    this.documents = docs.documents();
    this.informative = docs.informative();
    this.edits = edits;
  }

  public static World generate(long seed, WorldSize size) {
    SplittableRandom root = new SplittableRandom(seed);
    // One independent stream per stage, so a change in one stage's draws does not reshuffle the others.
    SplittableRandom nameRng = root.split();
    SplittableRandom factRng = root.split();
    SplittableRandom splitRng = root.split();
    SplittableRandom corpusRng = root.split();
    SplittableRandom docRng = root.split();
    SplittableRandom editRng = root.split();

    Names names = new Names(nameRng);
    OldWorld old = OldWorld.build(size, names, factRng);

    List<Fact> shuffled = new ArrayList<>(old.facts);
    OldWorld.shuffle(shuffled, splitRng);
    int n = shuffled.size();
    int heldCount = (int) Math.round(n * HELD_OUT_SHARE);
    int reserveCount = (int) Math.round(n * STABLE_RESERVE);
    Set<Fact> held = new HashSet<>(shuffled.subList(0, heldCount));
    List<Fact> changeable = new ArrayList<>();
    for (Fact f : shuffled.subList(heldCount + reserveCount, n)) {
      if (!old.isLeaderEmployment(f)) {
        changeable.add(f);
      }
    }
    // A fifth of the changeable facts (at most a quarter of the documents) change through documents; edits
    // take what is left, up to the requested count.
    int docChangeCount = Math.min(size.documents() / 4, changeable.size() / 5);
    List<Fact> docChanges = new ArrayList<>();
    List<Fact> editable = new ArrayList<>();
    for (Fact f : changeable) {
      if (docChanges.size() < docChangeCount && Templates.CHANGES.containsKey(f.relation())) {
        docChanges.add(f);
      } else {
        editable.add(f);
      }
    }
    List<Fact> edited = editable.subList(0, Math.min(size.edits(), editable.size()));
    Set<Fact> changed = new HashSet<>(docChanges);
    changed.addAll(edited);

    List<QaPair> trainedQa = new ArrayList<>();
    List<QaPair> heldOutQa = new ArrayList<>();
    List<QaPair> stableQa = new ArrayList<>();
    Set<Fact> stable = new HashSet<>();
    List<Fact> neighborPool = new ArrayList<>();
    for (Fact f : old.facts) {
      List<QaPair> qs = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        qs.add(new QaPair(Templates.question(f.relation(), t, f.subject()), f.object()));
      }
      if (held.contains(f)) {
        heldOutQa.addAll(qs);
      } else {
        trainedQa.addAll(qs);
      }
      if (!changed.contains(f)) {
        stable.add(f);
        if (!held.contains(f)) {
          stableQa.add(qs.get(0));
          neighborPool.add(f);
        }
      }
    }

    List<String> pretraining = Corpus.pretrainingTexts(old, trainedQa, corpusRng);
    List<String> heldOutTexts = Corpus.heldOutTexts(old, stable, corpusRng);
    Documents.Built docs = Documents.generate(old, names, docChanges, size.documents(), docRng);
    List<WorldEdit> edits = Edits.generate(old, edited, neighborPool, editRng);
    return new World(seed, size, old, names, pretraining, trainedQa, heldOutQa, stableQa, heldOutTexts, docs, edits);
  }

  public long seed() {
    return seed;
  }

  public WorldSize size() {
    return size;
  }

  /** Articles, bios, lists, tables and QA texts about the old world, shuffled; each under 600 characters. */
  public List<String> pretrainingTexts() {
    return pretrainingTexts;
  }

  /** QA pairs (three phrasings per fact) whose {@link QaFormat#text} is in {@link #pretrainingTexts()}. */
  public List<QaPair> pretrainingQa() {
    return pretrainingQa;
  }

  /** QA pairs on about 15% of old facts: their prose is in pretraining, their QA form is not. */
  public List<QaPair> heldOutQa() {
    return heldOutQa;
  }

  /** One trained QA pair per old fact that no document or edit changes: the forgetting probe. */
  public List<QaPair> stableQa() {
    return stableQa;
  }

  /** Old-world prose about stable facts in phrasings never used in pretraining, for perplexity. */
  public List<String> heldOutTexts() {
    return heldOutTexts;
  }

  public List<WorldDocument> documents() {
    return documents;
  }

  /** Per document (same order as {@link #documents()}), its informative sentences; the rest is padding. */
  public List<List<String>> informativeSentences() {
    return informative;
  }

  /** Edits, at most {@link WorldSize#edits()}; fewer when the old world runs out of changeable facts. */
  public List<WorldEdit> edits() {
    return edits;
  }

  public List<Fact> oldFacts() {
    return oldFacts;
  }

  /** Every invented name (old and new entities, regions, reporters), in order of creation. */
  public List<String> names() {
    return names;
  }
}
