package dev.strata.gateway.filter;

import java.util.Objects;

/**
 * What a filter decided about a request: {@link #CONTINUE} to the next filter (and, after the last, the
 * upstream), {@link #respond} with a local response, or suspended until a {@link Suspension} resumes.
 * {@link #CONTINUE} and the suspended verdict are constants, so the common path allocates nothing.
 */
public final class Verdict {

    /** The request goes on to the next filter. */
    public static final Verdict CONTINUE = new Verdict(null);

    static final Verdict SUSPENDED = new Verdict(null);

    private final LocalResponse response;

    private Verdict(LocalResponse response) {
        this.response = response;
    }

    /** The request is answered with {@code response}; the rest of the chain and the upstream see nothing. */
    public static Verdict respond(LocalResponse response) {
        return new Verdict(Objects.requireNonNull(response, "response"));
    }

    /** The local response, or {@code null} when this verdict does not answer. */
    public LocalResponse response() {
        return response;
    }

    public boolean suspended() {
        return this == SUSPENDED;
    }

    @Override
    public String toString() {
        return this == CONTINUE ? "continue" : this == SUSPENDED ? "suspended" : "respond " + response.status();
    }
}
