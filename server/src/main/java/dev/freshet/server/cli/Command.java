package dev.freshet.server.cli;

import java.util.Set;

/** One {@code bin/freshet} subcommand. */
interface Command {

    String name();

    /** One line for the command list. */
    String summary();

    /** The full {@code --help} text: usage line and every option with its default. */
    String help();

    Set<String> valuedOptions();

    default Set<String> flagOptions() {
        return Set.of();
    }

    /** Runs the command; returns the process exit code. */
    int run(Args args) throws Exception;
}
