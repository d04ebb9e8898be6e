/**
 * The links service, a stateless URL shortener: {@link dev.strata.links.LinksConfig} (section
 * {@code links}) and {@link dev.strata.links.LinksNode} (the {@code links} role). Sub-packages hold
 * one concern each: {@code api} (HTTP), {@code store} (the table), {@code token} (manage tokens),
 * {@code clicks} (batched click counts).
 */
package dev.strata.links;
