/**
 * Strata's gateway: an HTTP/1.1 reverse proxy and load balancer on Netty. {@link dev.strata.gateway.Gateway}
 * is the public entry; {@code balance} and {@code health} hold the balancing policies and the endpoint
 * health state machine.
 */
package dev.strata.gateway;
