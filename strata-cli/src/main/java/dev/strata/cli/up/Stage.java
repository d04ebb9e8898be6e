package dev.strata.cli.up;

/** The ladder's stages that {@code ./strata up} can start. */
public final class Stage {

    /** The highest stage this build implements. */
    public static final int HIGHEST = 3;

    /** The highest stage that runs on embedded defaults (what {@code up} starts without {@code --stage}). */
    public static final int DEFAULT = 3;

    private Stage() {}

    static String describe(int stage) {
        return switch (stage) {
            case 1 -> "single: one links node and one database";
            case 2 -> "cache & limits: the gateway in front of one links node";
            case 3 -> "scale out: the gateway balancing several links nodes";
            default -> "stage " + stage;
        };
    }
}
