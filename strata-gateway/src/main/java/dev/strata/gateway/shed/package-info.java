/**
 * Load shedding: the {@code shed} filter keeps an adaptive concurrency limit per upstream group (Netflix's
 * gradient or AIMD algorithm on the latency it measures) and answers the requests beyond it, after a short
 * bounded wait, with a fast 503 instead of letting them queue at saturated endpoints until everyone times
 * out. {@link dev.strata.gateway.shed.Shedding} is the entry.
 */
package dev.strata.gateway.shed;
