package dev.strata.gateway.cluster;

/** Redis could not be reached (or did not answer in time) for a cluster operation. */
public final class ClusterUnavailableException extends RuntimeException {

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
