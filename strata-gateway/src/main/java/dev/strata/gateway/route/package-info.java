/**
 * Host and path-prefix routing.
 */
package dev.strata.gateway.route;
