/**
 * The access log, written off the event loops.
 */
package dev.strata.gateway.log;
