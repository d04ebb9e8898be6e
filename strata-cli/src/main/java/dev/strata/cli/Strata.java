package dev.strata.cli;

/** Entry point of the strata command. */
public final class Strata {
    private Strata() {}

    public static void main(String[] args) {
        System.out.println("strata");
    }
}
