/**
 * The admin listener ({@code /_strata/*}).
 */
package dev.strata.gateway.admin;
