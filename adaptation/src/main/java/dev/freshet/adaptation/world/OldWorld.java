package dev.freshet.adaptation.world;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The old-world entities and their facts, in generation order, with lookups used by the other builders. */
final class OldWorld {
  final List<String> people = new ArrayList<>();
  final List<String> orgs = new ArrayList<>();
  final List<String> places = new ArrayList<>();
  final List<String> products = new ArrayList<>();
  final List<String> regions = new ArrayList<>();
  /** Entities in the order their facts appear: people, orgs, products, places. */
  final List<String> subjects = new ArrayList<>();
  final List<Fact> facts = new ArrayList<>();
  /** Insertion-ordered, so iterating it is deterministic too. */
  final Map<String, List<Fact>> bySubject = new LinkedHashMap<>();
  /** People of each org, in people order. */
  final Map<String, List<String>> employees = new LinkedHashMap<>();

  static OldWorld build(WorldSize size, Names names, SplittableRandom rng) {
    OldWorld w = new OldWorld();
    int regionCount = Math.max(2, size.oldPlaces() / 4);
    for (int i = 0; i < regionCount; i++) {
      w.regions.add(names.region());
    }
    for (int i = 0; i < size.oldPlaces(); i++) {
      w.places.add(names.place());
    }
    for (int i = 0; i < size.oldOrgs(); i++) {
      w.orgs.add(names.org());
      w.employees.put(w.orgs.get(i), new ArrayList<>());
    }
    for (int i = 0; i < size.oldPeople(); i++) {
      w.people.add(names.person());
    }
    for (int i = 0; i < size.oldProducts(); i++) {
      w.products.add(names.product());
    }

    for (int i = 0; i < w.people.size(); i++) {
      String p = w.people.get(i);
      // The first people fill the orgs one each, so every org has someone to lead it.
      String org = i < w.orgs.size() ? w.orgs.get(i) : pick(w.orgs, rng);
      w.employees.get(org).add(p);
      w.add(p, Relation.BORN_IN, pick(w.places, rng));
      w.add(p, Relation.WORKS_AT, org);
      w.add(p, Relation.ROLE, pick(Relation.ROLES, rng));
      w.add(p, Relation.BIRTH_YEAR, year(Relation.BIRTH_YEAR, rng));
    }
    for (String o : w.orgs) {
      w.add(o, Relation.FOUNDED_IN, year(Relation.FOUNDED_IN, rng));
      w.add(o, Relation.HEADQUARTERED_IN, pick(w.places, rng));
      w.add(o, Relation.LED_BY, pick(w.employees.get(o), rng));
      w.add(o, Relation.INDUSTRY, pick(Relation.INDUSTRIES, rng));
    }
    for (String p : w.products) {
      w.add(p, Relation.MADE_BY, pick(w.orgs, rng));
      w.add(p, Relation.LAUNCHED_IN, year(Relation.LAUNCHED_IN, rng));
      w.add(p, Relation.CATEGORY, pick(Relation.CATEGORIES, rng));
    }
    for (String p : w.places) {
      w.add(p, Relation.LOCATED_IN, pick(w.regions, rng));
    }
    return w;
  }

  private void add(String subject, String relation, String object) {
    Fact f = new Fact(subject, relation, object);
    facts.add(f);
    bySubject.computeIfAbsent(subject, k -> {
      subjects.add(k);
      return new ArrayList<>();
    }).add(f);
  }

  String object(String subject, String relation) {
    for (Fact f : bySubject.get(subject)) {
      if (f.relation().equals(relation)) {
        return f.object();
      }
    }
    throw new IllegalArgumentException(subject + " has no " + relation);
  }

  /** True for the works_at fact of a person who leads their org: changing it would contradict led_by. */
  boolean isLeaderEmployment(Fact f) {
    return f.relation().equals(Relation.WORKS_AT) && object(f.object(), Relation.LED_BY).equals(f.subject());
  }

  /** A value of the same kind as the fact's object but different from it (the new answer of a change). */
  String alternative(Fact f, SplittableRandom rng) {
    int[] range = Relation.yearRange(f.relation());
    if (range != null) {
      int old = Integer.parseInt(f.object());
      int y = range[0] + rng.nextInt(range[1] - range[0]); // one short: skipping `old` keeps it uniform
      return Integer.toString(y >= old ? y + 1 : y);
    }
    List<String> pool = switch (f.relation()) {
      case Relation.BORN_IN, Relation.HEADQUARTERED_IN -> places;
      case Relation.WORKS_AT, Relation.MADE_BY -> orgs;
      case Relation.LED_BY -> people;
      case Relation.ROLE -> Relation.ROLES;
      case Relation.INDUSTRY -> Relation.INDUSTRIES;
      case Relation.CATEGORY -> Relation.CATEGORIES;
      case Relation.LOCATED_IN -> regions;
      default -> throw new IllegalArgumentException(f.relation());
    };
    int i = rng.nextInt(pool.size() - 1);
    int old = pool.indexOf(f.object());
    return pool.get(i >= old ? i + 1 : i);
  }

  static String year(String relation, SplittableRandom rng) {
    int[] r = Relation.yearRange(relation);
    return Integer.toString(r[0] + rng.nextInt(r[1] - r[0] + 1));
  }

  static <T> T pick(List<T> list, SplittableRandom rng) {
    return list.get(rng.nextInt(list.size()));
  }

  static <T> void shuffle(List<T> list, SplittableRandom rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
