/**
 * Micrometer meters exported as Prometheus text ({@code strata_*}).
 */
package dev.strata.gateway.metrics;
