/**
 * The gateways that share one Redis: membership with heartbeats, a broadcast bus with
 * acknowledgements and a missed-messages signal, and the shared Redis connection
 * ({@link dev.strata.gateway.cluster.Cluster}, configured by {@link dev.strata.gateway.cluster.ClusterConfig}).
 */
package dev.strata.gateway.cluster;
