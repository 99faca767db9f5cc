package dev.freshet.adaptation.world;

import java.util.List;

/** Relation names used in {@link Fact}s, which relations each entity kind has, and the fixed value lists. */
public final class Relation {
  private Relation() {}

  public static final String BORN_IN = "born_in";
  public static final String WORKS_AT = "works_at";
  public static final String ROLE = "role";
  public static final String BIRTH_YEAR = "birth_year";
  public static final String FOUNDED_IN = "founded_in";
  public static final String HEADQUARTERED_IN = "headquartered_in";
  public static final String LED_BY = "led_by";
  public static final String INDUSTRY = "industry";
  public static final String MADE_BY = "made_by";
  public static final String LAUNCHED_IN = "launched_in";
  public static final String CATEGORY = "category";
  public static final String LOCATED_IN = "located_in";

  public static final List<String> PERSON = List.of(BORN_IN, WORKS_AT, ROLE, BIRTH_YEAR);
  public static final List<String> ORG = List.of(FOUNDED_IN, HEADQUARTERED_IN, LED_BY, INDUSTRY);
  public static final List<String> PRODUCT = List.of(MADE_BY, LAUNCHED_IN, CATEGORY);
  public static final List<String> PLACE = List.of(LOCATED_IN);
  public static final List<String> ALL = List.of(BORN_IN, WORKS_AT, ROLE, BIRTH_YEAR, FOUNDED_IN,
      HEADQUARTERED_IN, LED_BY, INDUSTRY, MADE_BY, LAUNCHED_IN, CATEGORY, LOCATED_IN);

  public static final List<String> ROLES = List.of("engineer", "chemist", "pilot", "architect", "economist",
      "surgeon", "geologist", "translator", "designer", "botanist", "journalist", "accountant", "teacher",
      "photographer", "physicist", "lawyer");
  public static final List<String> INDUSTRIES = List.of("aerospace", "biotechnology", "shipping", "agriculture",
      "software", "textiles", "mining", "energy", "publishing", "robotics", "pharmaceuticals", "logistics");
  public static final List<String> CATEGORIES = List.of("drone", "bicycle", "camera", "tractor", "headset",
      "battery", "telescope", "kettle", "scanner", "synthesizer", "satellite", "microscope");
  public static final List<String> ORG_SUFFIXES = List.of("Labs", "Dynamics", "Works", "Group", "Collective",
      "Systems", "Industries", "Partners", "Foundry", "Holdings");

  /** Inclusive year range of a year-valued relation; null for other relations. */
  static int[] yearRange(String relation) {
    return switch (relation) {
      case BIRTH_YEAR -> new int[] {1940, 2005};
      case FOUNDED_IN -> new int[] {1850, 2015};
      case LAUNCHED_IN -> new int[] {1980, 2024};
      default -> null;
    };
  }
}
