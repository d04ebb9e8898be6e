package dev.strata.gateway.proxy;

/** A message that cannot be decoded any further: nothing after it on the connection is read. */
record DecodeFailure(String reason) {}
