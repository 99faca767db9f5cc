package dev.freshet.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process run of the command line with its exit code and output captured. */
record CliRun(int code, String out, String err) {

    static CliRun of(String... argv) {
        PrintStream o = System.out;
        PrintStream e = System.err;
        ByteArrayOutputStream ob = new ByteArrayOutputStream();
        ByteArrayOutputStream eb = new ByteArrayOutputStream();
        System.setOut(new PrintStream(ob, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(eb, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(argv);
            return new CliRun(code, ob.toString(StandardCharsets.UTF_8), eb.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }
}
