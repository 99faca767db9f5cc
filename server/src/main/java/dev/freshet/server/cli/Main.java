package dev.freshet.server.cli;

import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/freshet}: Freshet's one entry point. Parses the subcommand, prints {@code --help}, and turns
 * usage mistakes into a clear message and exit code 2 instead of a stack trace.
 */
public final class Main {

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : List.of(new GenerateCommand(), new ScoreCommand(), new WorldCommand(), new PretrainCommand(),
                new InfoCommand(), new BenchCommand(), new MetaTrainCommand(), new ProduceCommand(), new EditLocationsCommand(), new ServeCommand(), new DemoCommand(), new EvalCommand())) {
            COMMANDS.put(c.name(), c);
        }
    }

    private Main() {}

    public static void main(String[] argv) {
        // Before anything can touch DJL: a run never looks for engines or models online.
        System.setProperty("ai.djl.offline", "true");
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            printCommands();
            return argv.length == 0 ? 2 : 0;
        }
        Command c = COMMANDS.get(argv[0]);
        if (c == null) {
            System.err.println("freshet: unknown command '" + argv[0] + "'");
            printCommands();
            return 2;
        }
        for (int i = 1; i < argv.length; i++) {
            if (argv[i].equals("--help") || argv[i].equals("-h")) {
                System.out.println(c.help());
                return 0;
            }
        }
        try {
            Set<String> flags = new HashSet<>(c.flagOptions());
            return c.run(Args.parse(argv, 1, c.valuedOptions(), flags));
        } catch (Args.UsageException e) {
            System.err.println("freshet " + c.name() + ": " + e.getMessage());
            System.err.println();
            System.err.println(c.help());
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("freshet " + c.name() + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("freshet " + c.name() + " failed: " + e);
            e.printStackTrace(System.err);
            return 1;
        }
    }

    private static void printCommands() {
        System.out.println("usage: bin/freshet <command> [options]   (bin/freshet <command> --help for its options)");
        System.out.println();
        for (Command c : COMMANDS.values()) {
            System.out.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }
}
