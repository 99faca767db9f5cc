package dev.freshet.adaptation.camels;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "salient spans" baseline of CaMeLS (arXiv 2305.15076 §4.2): weight 1 on tokens inside a named entity or a
 * number, 0 elsewhere.
 *
 * <p>The paper tags entities with a neural NER model; Freshet has no such model, so a small rule-based tagger
 * stands in. A span is
 * <ul>
 *   <li>a run of capitalised words joined by single spaces, except a lone capitalised word at a sentence start
 *       (where capitals say nothing) and a leading function word ("The Karvel Group" tags "Karvel Group");
 *   <li>a number: a 4-digit year or any other digit run. The paper drops numeric entity types; Freshet keeps them
 *       because its documents' answers include years;
 *   <li>any occurrence of a known name (e.g. {@link dev.freshet.adaptation.world.World#names()}), even alone at a
 *       sentence start.
 * </ul>
 * Month and weekday names are not entities here: in news text they date the article, they are not its facts.
 * A token is weighted 1 when the characters it covers overlap a span.
 */
public final class SalientSpans implements TokenWeighting {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’-]*");
    private static final Set<String> FUNCTION_WORDS = Set.of("The", "A", "An", "In", "On", "At", "By", "For", "From", "Of", "To",
            "With", "And", "But", "Or", "As", "After", "Before", "This", "That", "These", "Those", "It", "Its", "He", "She", "They",
            "We", "I", "His", "Her", "Their", "Our", "When", "While", "Since", "During", "Last", "Next", "According", "Meanwhile");
    private static final Set<String> CALENDAR = Set.of("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");

    /** One tagged span of the text, chars {@code [start, end)}; {@code kind} is NAME, YEAR or NUMBER. */
    public record Span(int start, int end, String kind) {}

    private final Set<String> knownNames;

    public SalientSpans(Set<String> knownNames) {
        this.knownNames = Set.copyOf(knownNames);
    }

    @Override
    public String name() {
        return "salient-spans";
    }

    @Override
    public float[] weights(DocumentTokens doc) {
        List<Span> spans = spans(doc.text());
        float[] w = new float[doc.length()];
        for (int i = 0; i < w.length; i++) {
            int from = doc.charStart()[i];
            int to = doc.charEnd()[i];
            for (Span s : spans) {
                if (from < to && from < s.end() && s.start() < to) {
                    w[i] = 1f;
                    break;
                }
            }
        }
        return w;
    }

    /** The entity and number spans of {@code text}, in order of their start. */
    public List<Span> spans(String text) {
        List<int[]> words = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(new int[] {m.start(), m.end()});
        }
        List<Span> spans = new ArrayList<>();
        int i = 0;
        while (i < words.size()) {
            String w = text.substring(words.get(i)[0], words.get(i)[1]);
            if (Character.isDigit(w.charAt(0))) {
                boolean year = w.length() == 4 && w.chars().allMatch(Character::isDigit);
                spans.add(new Span(words.get(i)[0], words.get(i)[1], year ? "YEAR" : "NUMBER"));
                i++;
                continue;
            }
            if (!Character.isUpperCase(w.charAt(0))) {
                i++;
                continue;
            }
            int end = i + 1; // extend the run over capitalised words separated by exactly one space
            while (end < words.size() && Character.isUpperCase(text.charAt(words.get(end)[0]))
                    && words.get(end)[0] == words.get(end - 1)[1] + 1 && text.charAt(words.get(end - 1)[1]) == ' ') {
                end++;
            }
            int first = i;
            boolean atStart = sentenceStart(text, words.get(i)[0]);
            if (FUNCTION_WORDS.contains(w) || (atStart && end - i == 1)) {
                first++; // a capital that only marks the sentence start, or a leading "The"
            }
            if (end - first == 1 && CALENDAR.contains(text.substring(words.get(first)[0], words.get(first)[1]))) {
                first = end;
            }
            if (first < end) {
                spans.add(new Span(words.get(first)[0], words.get(end - 1)[1], "NAME"));
            }
            i = end;
        }
        for (String name : knownNames) {
            for (int at = text.indexOf(name); at >= 0 && !name.isEmpty(); at = text.indexOf(name, at + name.length())) {
                spans.add(new Span(at, at + name.length(), "NAME"));
            }
        }
        spans.sort((a, b) -> Integer.compare(a.start(), b.start()));
        return spans;
    }

    /** True when only spaces and sentence-ending punctuation, or a line break, separate {@code at} from the previous word. */
    private static boolean sentenceStart(String text, int at) {
        for (int j = at - 1; j >= 0; j--) {
            char c = text.charAt(j);
            if (c == '.' || c == '!' || c == '?' || c == ':' || c == '\n') {
                return true;
            }
            if (!Character.isWhitespace(c) && c != '"' && c != '\'' && c != '(' && c != '“') {
                return false;
            }
        }
        return true;
    }
}
