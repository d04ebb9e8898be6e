package dev.strata.cli.up;

/** The ladder's stages that {@code ./strata up} can start. */
public final class Stage {

    /** The highest stage this build implements. */
    public static final int HIGHEST = 4;

    /** The highest stage that runs on embedded defaults (what {@code up} starts without {@code --stage}). */
    public static final int DEFAULT = 4;

    private Stage() {}

    /** What each stage of the ladder adds, built or not: {@code [number, name, what it adds]}. */
    static final String[][] LADDER = {
        {"1", "single", "one links node and one database"},
        {"2", "cache & limits", "the gateway in front of one links node"},
        {"3", "scale out", "the gateway balancing several links nodes"},
        {"4", "database load balancing", "PostgreSQL read replicas"},
        {"5", "CDN", "edge caches near the users"},
        {"6", "distributed data", "the data on a Cassandra cluster"},
    };

    /** One line per stage, for {@code --help}: what it starts, or that it is not built yet. */
    public static String ladder() {
        StringBuilder b = new StringBuilder();
        for (String[] s : LADDER) {
            int n = Integer.parseInt(s[0]);
            b.append(String.format("  %s  %-24s %s%s%n", s[0], s[1], n > HIGHEST ? "not built yet: " : "", s[2]));
        }
        return b.toString();
    }

    /** Why {@code stage} cannot be started, or {@code null} when it can. */
    static String unavailable(int stage) {
        if (stage >= 1 && stage <= HIGHEST) {
            return null;
        }
        if (stage >= 1 && stage <= LADDER.length) {
            return "stage " + stage + ", " + LADDER[stage - 1][1] + ", is not built yet (built: 1.." + HIGHEST + ")";
        }
        return "there is no stage " + stage + " (the ladder has stages 1.." + LADDER.length + "; built: 1.." + HIGHEST + ")";
    }

    static String describe(int stage) {
        return switch (stage) {
            case 1 -> "single: one links node and one database";
            case 2 -> "cache & limits: the gateway in front of one links node";
            case 3 -> "scale out: the gateway balancing several links nodes";
            case 4 -> "database load balancing: links nodes reading from PostgreSQL replicas";
            default -> "stage " + stage;
        };
    }
}
