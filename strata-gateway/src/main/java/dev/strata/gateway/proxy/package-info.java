/**
 * The request path: the client pipeline ({@code RequestDecoder}, {@code ClientHandler}), one
 * {@code Exchange} per request, the upstream side ({@code UpstreamHandler}), and the listeners with
 * the live configuration generation ({@link dev.strata.gateway.proxy.ProxyServer}). Public types here
 * are internal to the gateway and may change.
 */
package dev.strata.gateway.proxy;
