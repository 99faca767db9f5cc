package dev.freshet.adaptation.world;

import static java.util.Map.entry;

import java.util.List;
import java.util.Map;

/**
 * All wording of the world. Placeholders: {s} subject, {o} object, {a_o} object with "a"/"an", {old} the
 * previous object of a changed fact. Maps here are only looked up, never iterated.
 */
final class Templates {
  private Templates() {}

  /** Prose used in pretraining and documents: six phrasings per relation. */
  static final Map<String, List<String>> PROSE = Map.ofEntries(
      entry(Relation.BORN_IN, List.of("{s} was born in {o}.", "{s} is a native of {o}.",
          "{o} is the birthplace of {s}.", "{s} grew up in {o}, the town of their birth.",
          "Born in {o}, {s} still visits family there.", "The birthplace of {s} is {o}.")),
      entry(Relation.WORKS_AT, List.of("{s} works at {o}.", "{s} is employed by {o}.", "{o} employs {s}.",
          "{s} is on the staff of {o}.", "At {o}, {s} is a familiar face.", "The employer of {s} is {o}.")),
      entry(Relation.ROLE, List.of("{s} is {a_o}.", "{s} works as {a_o}.", "By profession, {s} is {a_o}.",
          "{s} trained as {a_o}.", "The profession of {s} is {o}.", "{s} earns a living as {a_o}.")),
      entry(Relation.BIRTH_YEAR, List.of("{s} was born in {o}.", "{s} was born in the year {o}.",
          "The birth year of {s} is {o}.", "{o} is the year {s} was born.",
          "According to records, {s} was born in {o}.", "{s} celebrates a birthday every year, having been born in {o}.")),
      entry(Relation.FOUNDED_IN, List.of("{s} was founded in {o}.", "{s} was established in {o}.",
          "{s} dates back to {o}, the year it was founded.", "The founding year of {s} is {o}.",
          "In {o}, {s} was founded.", "Founded in {o}, {s} has grown steadily.")),
      entry(Relation.HEADQUARTERED_IN, List.of("{s} is headquartered in {o}.", "The headquarters of {s} are in {o}.",
          "{s} has its head office in {o}.", "{s} is based in {o}.", "From its base in {o}, {s} runs its operations.",
          "{o} is home to the headquarters of {s}.")),
      entry(Relation.LED_BY, List.of("{s} is led by {o}.", "{o} leads {s}.", "{o} is the head of {s}.",
          "The leader of {s} is {o}.", "{o} runs {s}.", "{s} is run by {o}.")),
      entry(Relation.INDUSTRY, List.of("{s} is {a_o} company.", "{s} operates in the {o} industry.",
          "The industry of {s} is {o}.", "{s} is active in {o}.", "{s} does business in {o}.",
          "{s} is part of the {o} sector.")),
      entry(Relation.MADE_BY, List.of("{s} is made by {o}.", "{o} makes {s}.", "{s} is manufactured by {o}.",
          "{o} produces {s}.", "The maker of {s} is {o}.", "{s} comes from the factories of {o}.")),
      entry(Relation.LAUNCHED_IN, List.of("{s} was launched in {o}.", "{s} first went on sale in {o}.",
          "{s} came out in {o}.", "The launch year of {s} is {o}.", "In {o}, {s} was launched.",
          "{s} has been on the market since {o}.")),
      entry(Relation.CATEGORY, List.of("{s} is {a_o}.", "{s} is a kind of {o}.", "The category of {s} is {o}.",
          "{s} is sold as {a_o}.", "{s} belongs to the {o} category.", "In shops, {s} sits among the {o} products.")),
      entry(Relation.LOCATED_IN, List.of("{s} is in {o}.", "{s} lies in the region of {o}.", "{s} is located in {o}.",
          "{s} belongs to the {o} region.", "The region of {s} is {o}.", "{o} includes the town of {s}.")));

  /** Phrasings kept out of pretraining, for held-out perplexity. None is a substring of a PROSE phrasing. */
  static final Map<String, List<String>> HELD_OUT_PROSE = Map.ofEntries(
      entry(Relation.BORN_IN, List.of("{s} first saw the light of day in {o}.",
          "Records show that {s} came into the world in {o}.")),
      entry(Relation.WORKS_AT, List.of("{s} draws a salary from {o}.",
          "Colleagues at {o} know {s} well, since {s} works there.")),
      entry(Relation.ROLE, List.of("Ask anyone and they will tell you {s} is {a_o} by trade.",
          "{s} has spent a career as {a_o}.")),
      entry(Relation.BIRTH_YEAR, List.of("{s} arrived in {o}, the year of their birth.",
          "The year {o} marks the birth of {s}.")),
      entry(Relation.FOUNDED_IN, List.of("{s} opened its doors for the first time in {o}.",
          "The story of {s} begins in {o}, when it was set up.")),
      entry(Relation.HEADQUARTERED_IN, List.of("Visitors to {s} must travel to {o}, where its main office stands.",
          "The main office of {s} sits in {o}.")),
      entry(Relation.LED_BY, List.of("{o} sits at the top of {s}.", "Decisions at {s} are made by its chief, {o}.")),
      entry(Relation.INDUSTRY, List.of("{s} makes its money in {o}.", "Most of the revenue of {s} comes from {o}.")),
      entry(Relation.MADE_BY, List.of("{s} rolls off the production line at {o}.", "{o} is the company behind {s}.")),
      entry(Relation.LAUNCHED_IN, List.of("Shoppers first saw {s} in {o}.", "{s} made its debut in {o}.")),
      entry(Relation.CATEGORY, List.of("Customers buy {s} when they need {a_o}.", "{s} is best described as {a_o}.")),
      entry(Relation.LOCATED_IN, List.of("Maps place {s} inside {o}.", "Travellers heading to {s} pass through {o}.")));

  /** Three question phrasings per relation: pretraining QA, edit prompts and their paraphrases. */
  static final Map<String, List<String>> QUESTIONS = Map.ofEntries(
      entry(Relation.BORN_IN, List.of("Where was {s} born?", "In which place was {s} born?",
          "What is the birthplace of {s}?")),
      entry(Relation.WORKS_AT, List.of("Where does {s} work?", "Which organisation employs {s}?",
          "Who is the employer of {s}?")),
      entry(Relation.ROLE, List.of("What is the profession of {s}?", "What does {s} do for a living?",
          "What job does {s} have?")),
      entry(Relation.BIRTH_YEAR, List.of("In what year was {s} born?", "When was {s} born?",
          "What is the birth year of {s}?")),
      entry(Relation.FOUNDED_IN, List.of("When was {s} founded?", "In what year was {s} founded?",
          "What is the founding year of {s}?")),
      entry(Relation.HEADQUARTERED_IN, List.of("Where is {s} headquartered?", "Where are the headquarters of {s}?",
          "In which place is {s} based?")),
      entry(Relation.LED_BY, List.of("Who leads {s}?", "Who is the head of {s}?", "Who runs {s}?")),
      entry(Relation.INDUSTRY, List.of("What industry is {s} in?", "In which industry does {s} operate?",
          "What sector does {s} work in?")),
      entry(Relation.MADE_BY, List.of("Who makes {s}?", "Which company makes {s}?", "Who is the maker of {s}?")),
      entry(Relation.LAUNCHED_IN, List.of("When was {s} launched?", "In what year was {s} launched?",
          "What year did {s} come out?")),
      entry(Relation.CATEGORY, List.of("What kind of product is {s}?", "What type of product is {s}?",
          "What category does {s} belong to?")),
      entry(Relation.LOCATED_IN, List.of("In which region is {s}?", "Where is {s} located?",
          "Which region is {s} part of?")));

  /** News phrasings of a changed old fact; led_by's new object is a newly introduced person. */
  static final Map<String, List<String>> CHANGES = Map.ofEntries(
      entry(Relation.WORKS_AT, List.of("{s} has left {old} and now works at {o}.",
          "After years at {old}, {s} has joined {o}.", "{o} has hired {s}, formerly of {old}.")),
      entry(Relation.HEADQUARTERED_IN, List.of("{s} moved its headquarters to {o}.",
          "{s} has relocated its head office from {old} to {o}.",
          "{s} is now headquartered in {o} after leaving {old}.")),
      entry(Relation.LED_BY, List.of("{s} has named {o} as its new leader, replacing {old}.",
          "{old} has stepped down and {o} now leads {s}.", "The board of {s} appointed {o} to succeed {old} at the top.")),
      entry(Relation.MADE_BY, List.of("{o} has taken over production of {s} from {old}.",
          "{s} is now made by {o} after {old} sold the product line.",
          "Production of {s} moves from {old} to {o}, which now makes it.")));

  /** Fact-free opening lines of a document about {s}: they name the entity but state nothing about it. */
  static final List<String> INTROS = List.of("There is news this week about {s}.",
      "{s} is in the spotlight again.", "Readers have been asking about {s}.",
      "Here is the latest on {s}.", "Attention turned to {s} on a busy day for the sector.");

  /** Generic sentences about nothing in the world; slots: {day}, {month}, {n}, {weather}, {dir}. */
  static final List<String> DISTRACTORS = List.of(
      "Markets closed slightly {dir} on {day} as traders waited for new figures.",
      "Forecasters expect {weather} across the coast through the weekend.",
      "Analysts said trading volumes were thinner than usual for the time of year.",
      "A spokesperson declined to comment on unrelated matters.",
      "Fuel prices were little changed over the past {n} days.",
      "Local officials reminded residents that road works will continue until {month}.",
      "The weather service warned of {weather} later in the week.",
      "Shares in the wider sector moved {dir} by about {n} percent in early trading.",
      "Observers noted that the season has been unusually quiet so far.",
      "Ticket sales for the regional football league rose again this month.",
      "A separate report on consumer confidence is due in {month}.",
      "Commuters faced delays of up to {n} minutes after a signal fault on {day}.",
      "Several trade fairs are planned for the coming months.",
      "Economists cautioned that it is too early to draw firm conclusions.",
      "The city council will meet again on {day} to discuss the budget.",
      "Rain is expected to ease by {day} evening.",
      "Demand for office space has been flat since {month}.",
      "Exchange rates were steady in quiet trading.",
      "Industry groups have called for clearer rules on data storage.",
      "Attendance at public libraries rose by {n} percent last year.");

  static final List<String> DAYS = List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday");
  static final List<String> MONTHS = List.of("January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December");
  static final List<String> WEATHER = List.of("light rain", "strong winds", "clear skies", "morning fog",
      "scattered showers", "a cold snap");
  static final List<String> DIRECTIONS = List.of("higher", "lower");

  /** Byline formats; slots: {reporter}, {source}, {date}. */
  static final List<String> HEADERS = List.of("By {reporter} | {source} | {date}",
      "{date} | {reporter}, {source} staff", "{source} | {date}");
  static final List<String> FOOTERS = List.of("All rights reserved.", "Subscribe for more.",
      "This article may be updated.", "Share this story with a colleague.", "Reporting by {reporter}.",
      "Copyright {source}. All rights reserved.", "Sign up for the morning briefing.");

  /** Topic source ids and the name each one prints. */
  static final List<String> SOURCES = List.of("newswire", "business-daily", "tech-gazette", "regional-herald");
  static final List<String> SOURCE_LABELS = List.of("Newswire", "Business Daily", "Tech Gazette", "Regional Herald");

  static String fill(String template, String s, String o) {
    return template.replace("{s}", s).replace("{a_o}", withArticle(o)).replace("{o}", o);
  }

  static String withArticle(String word) {
    return ("aeiouAEIOU".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
  }

  static String question(String relation, int template, String subject) {
    return QUESTIONS.get(relation).get(template).replace("{s}", subject);
  }
}
