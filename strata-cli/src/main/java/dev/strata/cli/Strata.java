package dev.strata.cli;

import dev.strata.cli.up.UpCommand;
import dev.strata.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code strata} command. */
@Command(name = "strata", mixinStandardHelpOptions = true, version = "strata 0.1.0",
        description = "The scalable web architecture ladder, from one node to a distributed deployment.",
        subcommands = {UpCommand.class, RoleCommands.GatewayRole.class, RoleCommands.Links.class,
            RoleCommands.Postgres.class, RoleCommands.Redis.class, RoleCommands.JvmOptionsOfRole.class})
public final class Strata {

    private Strata() {}

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Strata());
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
