package dev.freshet.loadtest.internal;

import dev.freshet.loadtest.Corpus;
import dev.freshet.streams.record.DocumentRecord;
import dev.freshet.streams.record.EditRecord;
import java.util.SplittableRandom;

/**
 * Made-up facts about made-up people, deterministic per index: documents of a few sentences (about 60
 * tokens on the default model, the size of the world's bios) and edits in the QA format the default model
 * was trained on. The fallback corpus when the caller has none: names made of syllables the model never
 * saw together, so its edits in particular (eight passes each) soon trip the quality gate.
 */
public final class Synthetic implements Corpus {

    private static final String[] SYLLABLES = {"ka", "ve", "lor", "mi", "zan", "tu", "shei", "ro", "bel", "quo", "din", "ya", "fer", "nu"};
    private static final String[] JOBS = {"chemist", "pilot", "architect", "violinist", "surveyor", "baker", "engineer"};

    private final String run;

    /** @param run distinguishes this run's record ids from any earlier run's */
    public Synthetic(String run) {
        this.run = run;
    }

    @Override
    public DocumentRecord document(long i) {
        SplittableRandom r = new SplittableRandom(i * 7919 + 17);
        String who = name(r, 2) + " " + name(r, 3);
        String place = name(r, 3);
        String org = name(r, 2) + " Works";
        String text = who + " is a " + JOBS[r.nextInt(JOBS.length)] + " who was born in " + place + ". In " + (1950 + r.nextInt(60))
                + " " + who + " joined " + org + ", where " + who + " still works. " + who + " lives in " + name(r, 2) + ".";
        return new DocumentRecord(run + "-d" + i, text);
    }

    @Override
    public EditRecord edit(long i) {
        SplittableRandom r = new SplittableRandom(i * 104729 + 3);
        String who = name(r, 2) + " " + name(r, 3);
        return new EditRecord(run + "-e" + i, "Q: Where was " + who + " born?\nA:", " " + name(r, 3));
    }

    @Override
    public String[] query(long i) {
        SplittableRandom r = new SplittableRandom(i * 31 + 5);
        String who = name(r, 2) + " " + name(r, 3);
        return new String[] {"Q: Where was " + who + " born?\nA:", " " + name(r, 3)};
    }

    private static String name(SplittableRandom r, int syllables) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < syllables; s++) {
            sb.append(SYLLABLES[r.nextInt(SYLLABLES.length)]);
        }
        return Character.toUpperCase(sb.charAt(0)) + sb.substring(1);
    }
}
