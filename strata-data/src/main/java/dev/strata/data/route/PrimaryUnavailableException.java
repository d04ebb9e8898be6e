package dev.strata.data.route;

import java.sql.SQLException;
import java.time.Duration;

/** A write, or a read that no replica could serve, found no primary; try again after {@link #retryAfter()}. */
public final class PrimaryUnavailableException extends SQLException {

    private final transient Duration retryAfter;

    PrimaryUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, "08006", cause);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
