package dev.strata.cli;

import dev.strata.cli.up.UpCommand;
import dev.strata.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code strata} command. */
@Command(name = "strata", mixinStandardHelpOptions = true, version = "strata 0.1.0",
        description = "The scalable web architecture ladder, from one node to a distributed deployment.",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nStages (./strata up --stage N):%n",
        subcommands = {UpCommand.class, RoleCommands.GatewayRole.class, Strata.Test.class, CommandLine.HelpCommand.class,
            RoleCommands.Links.class, RoleCommands.Postgres.class, RoleCommands.PostgresReplica.class,
            RoleCommands.Redis.class, RoleCommands.JvmOptionsOfRole.class})
public final class Strata {

    private Strata() {}

    /** Listed for {@code --help}; the {@code strata} script runs the suite itself (Maven {@code verify}). */
    @Command(name = "test", description = "Run the whole test suite (mvn verify; installs what the browser test needs).")
    static final class Test implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            System.err.println("strata: run the suite through the script: ./strata test [MAVEN ARGS]");
            return 2;
        }
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Strata());
        cli.getCommandSpec().usageMessage().footer(dev.strata.cli.up.Stage.ladder());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof ConfigException || ex instanceof IllegalArgumentException) {
                commandLine.getErr().println("strata: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        System.exit(cli.execute(args));
    }
}
