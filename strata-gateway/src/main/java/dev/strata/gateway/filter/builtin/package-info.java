/**
 * The filters every gateway knows: {@code headers}, {@code request_id}, and the direct response of a
 * route's {@code respond:}. {@link dev.strata.gateway.filter.builtin.BuiltInFilters} is the entry.
 */
package dev.strata.gateway.filter.builtin;
