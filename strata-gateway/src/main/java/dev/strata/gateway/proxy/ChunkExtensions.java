package dev.strata.gateway.proxy;

/**
 * The length of one chunk's extensions (what follows the chunk size on its line), passed on before the
 * chunk's data so that a request body's extensions count toward its {@code max_body}: they cross the
 * wire like data. Only chunks that have extensions produce one.
 */
record ChunkExtensions(int bytes) {}
