/**
 * The {@code gateway} configuration section as immutable records, bound by the shared config loader.
 * Every key is documented in {@code strata/defaults/gateway.yaml}.
 */
package dev.strata.gateway.config;
