package dev.freshet.adaptation.world;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes the document stream: news items about a new entity (3-4 facts) or about one changed old fact, padded
 * with fact-free distractors and boilerplate so that most tokens carry nothing worth learning.
 */
final class Documents {
  /** 2025-01-01T00:00:00Z; timestamps grow from here. */
  static final long BASE_TS = 1_735_689_600_000L;
  private static final int REPORTERS = 12;

  /** The documents and, per document, its informative sentences (for the signal-share check). */
  record Built(List<WorldDocument> documents, List<List<String>> informative) {}

  private final OldWorld w;
  private final Names names;
  private final SplittableRandom rng;
  private final List<String> reporters = new ArrayList<>();

  private Documents(OldWorld w, Names names, SplittableRandom rng) {
    this.w = w;
    this.names = names;
    this.rng = rng;
    for (int i = 0; i < REPORTERS; i++) {
      reporters.add(names.person());
    }
  }

  /** {@code changes} are old facts, each changed by exactly one document; the rest introduce new entities. */
  static Built generate(OldWorld w, Names names, List<Fact> changes, int count, SplittableRandom rng) {
    Documents d = new Documents(w, names, rng);
    List<Integer> plan = new ArrayList<>(); // index into changes, or -1 for a new entity
    for (int i = 0; i < count; i++) {
      plan.add(i < changes.size() ? i : -1);
    }
    OldWorld.shuffle(plan, rng);
    List<WorldDocument> docs = new ArrayList<>();
    List<List<String>> informative = new ArrayList<>();
    long ts = BASE_TS;
    for (int i = 0; i < count; i++) {
      ts += 60_000L * (5 + rng.nextInt(86));
      Draft draft = plan.get(i) >= 0 ? d.change(changes.get(plan.get(i))) : d.newEntity();
      int source = rng.nextInt(Templates.SOURCES.size());
      docs.add(new WorldDocument(String.format(Locale.ROOT, "doc-%06d", i + 1), d.render(draft, source, ts),
          Templates.SOURCES.get(source), ts, draft.questions));
      informative.add(List.copyOf(draft.facts));
    }
    return new Built(List.copyOf(docs), List.copyOf(informative));
  }

  /** What a document says before it is dressed up: subject, fact sentences and questions on them. */
  private record Draft(String subject, List<String> facts, List<QaPair> questions) {}

  private Draft newEntity() {
    int kind = rng.nextInt(10);
    List<Fact> facts = new ArrayList<>();
    String s;
    if (kind < 5) {
      s = names.person();
      facts.add(new Fact(s, Relation.WORKS_AT, OldWorld.pick(w.orgs, rng)));
      facts.add(new Fact(s, Relation.ROLE, OldWorld.pick(Relation.ROLES, rng)));
      boolean both = rng.nextBoolean();
      if (both || rng.nextBoolean()) {
        facts.add(new Fact(s, Relation.BORN_IN, OldWorld.pick(w.places, rng)));
      }
      if (both || facts.size() == 2) {
        facts.add(new Fact(s, Relation.BIRTH_YEAR, OldWorld.year(Relation.BIRTH_YEAR, rng)));
      }
    } else if (kind < 7) {
      s = names.org();
      facts.add(new Fact(s, Relation.FOUNDED_IN, Integer.toString(1990 + rng.nextInt(35))));
      facts.add(new Fact(s, Relation.HEADQUARTERED_IN, OldWorld.pick(w.places, rng)));
      facts.add(new Fact(s, Relation.INDUSTRY, OldWorld.pick(Relation.INDUSTRIES, rng)));
    } else {
      s = names.product();
      facts.add(new Fact(s, Relation.MADE_BY, OldWorld.pick(w.orgs, rng)));
      facts.add(new Fact(s, Relation.LAUNCHED_IN, Integer.toString(2000 + rng.nextInt(25))));
      facts.add(new Fact(s, Relation.CATEGORY, OldWorld.pick(Relation.CATEGORIES, rng)));
    }
    List<String> sentences = new ArrayList<>();
    for (Fact f : facts) {
      sentences.add(Templates.fill(OldWorld.pick(Templates.PROSE.get(f.relation()), rng), s, f.object()));
    }
    List<Fact> asked = new ArrayList<>(facts);
    OldWorld.shuffle(asked, rng);
    List<QaPair> questions = new ArrayList<>();
    for (Fact f : asked.subList(0, 1 + rng.nextInt(3))) {
      questions.add(ask(f));
    }
    return new Draft(s, sentences, questions);
  }

  private Draft change(Fact old) {
    String s = old.subject();
    String template = OldWorld.pick(Templates.CHANGES.get(old.relation()), rng);
    List<String> sentences = new ArrayList<>();
    List<QaPair> questions = new ArrayList<>();
    String now;
    if (old.relation().equals(Relation.LED_BY)) {
      // A new leader is a new person, so no other old fact (their employer) is contradicted.
      now = names.person();
      String role = OldWorld.pick(Relation.ROLES, rng);
      sentences.add(fill(template, s, now, old.object()));
      sentences.add(Templates.fill(OldWorld.pick(Templates.PROSE.get(Relation.ROLE), rng), now, role));
      questions.add(ask(new Fact(s, Relation.LED_BY, now)));
      if (rng.nextBoolean()) {
        questions.add(ask(new Fact(now, Relation.ROLE, role)));
      }
    } else {
      now = w.alternative(old, rng);
      sentences.add(fill(template, s, now, old.object()));
      questions.add(ask(new Fact(s, old.relation(), now)));
    }
    return new Draft(s, sentences, questions);
  }

  private static String fill(String template, String s, String now, String old) {
    return Templates.fill(template.replace("{old}", old), s, now);
  }

  private QaPair ask(Fact f) {
    List<String> qs = Templates.QUESTIONS.get(f.relation());
    return new QaPair(qs.get(rng.nextInt(qs.size())).replace("{s}", f.subject()), f.object());
  }

  private String render(Draft draft, int source, long ts) {
    String label = Templates.SOURCE_LABELS.get(source);
    String reporter = OldWorld.pick(reporters, rng);
    LocalDate day = Instant.ofEpochMilli(ts).atZone(ZoneOffset.UTC).toLocalDate();
    String date = day.getDayOfMonth() + " " + Templates.MONTHS.get(day.getMonthValue() - 1) + " " + day.getYear();
    String header = OldWorld.pick(Templates.HEADERS, rng)
        .replace("{reporter}", reporter).replace("{source}", label).replace("{date}", date);

    List<String> body = new ArrayList<>(draft.facts);
    int distractors = 2 + rng.nextInt(4);
    for (int i = 0; i < distractors; i++) {
      body.add(distractor());
    }
    OldWorld.shuffle(body, rng);
    String intro = OldWorld.pick(Templates.INTROS, rng).replace("{s}", draft.subject);

    List<String> footer = new ArrayList<>(Templates.FOOTERS);
    OldWorld.shuffle(footer, rng);
    String end = String.join(" ", footer.subList(0, 1 + rng.nextInt(2)))
        .replace("{reporter}", reporter).replace("{source}", label);
    return header + "\n\n" + intro + " " + String.join(" ", body) + "\n\n" + end;
  }

  private String distractor() {
    return OldWorld.pick(Templates.DISTRACTORS, rng)
        .replace("{day}", OldWorld.pick(Templates.DAYS, rng))
        .replace("{month}", OldWorld.pick(Templates.MONTHS, rng))
        .replace("{n}", Integer.toString(2 + rng.nextInt(39)))
        .replace("{weather}", OldWorld.pick(Templates.WEATHER, rng))
        .replace("{dir}", OldWorld.pick(Templates.DIRECTIONS, rng));
  }
}
