/**
 * The live dashboard of the admin listener ({@code /_strata/}): the page, the data it polls, and the
 * ring of the gateway's last events.
 */
package dev.strata.gateway.dashboard;
