package dev.strata.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The roles {@code ./strata up} starts as child processes; hidden from help, usable by hand. */
final class RoleCommands {

    private RoleCommands() {}

    @Command(name = "links", hidden = true, description = "Run one links node.")
    static final class Links implements Callable<Integer> {
        @Option(names = "--config") Path config;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("links");
        }
    }

    @Command(name = "postgres", hidden = true, description = "Run the embedded PostgreSQL server.")
    static final class Postgres implements Callable<Integer> {
        @Option(names = "--config") Path config;
        @Option(names = "--fresh") boolean fresh;

        @Override
        public Integer call() {
            throw new UnsupportedOperationException("postgres");
        }
    }
}
