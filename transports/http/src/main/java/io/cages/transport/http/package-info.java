/**
 * The HTTP transport of the cage host: {@link io.cages.transport.http.HttpTransport}, found by the host
 * through {@link java.util.ServiceLoader}. Everything else lives in {@code io.cages.transport.http.internal}
 * and is not API.
 *
 * <h2>Cage listener ({@code http.bind}:{@code http.port})</h2>
 * <ul>
 *   <li>{@code GET|POST|PUT|DELETE /<cage>/<operation>}; other methods 405, other path shapes 404, cage names
 *   starting with {@code _} (reserved) 404.</li>
 *   <li>Parameters: query string (repeated names give lists), plus a JSON object body (members keep their JSON
 *   types and win over query parameters), url-encoded or multipart form fields (strings, merged with the
 *   query). A multipart body may carry one file: its bytes are the request body, its media type the content
 *   type, and {@code <field>.filename} / {@code <field>.contentType} are parameters. Other bodies are passed
 *   as raw bytes with their {@code Content-Type}.</li>
 *   <li>{@code X-Request-Id} (at most 64 of {@code [A-Za-z0-9._-]}) is adopted, else the dispatcher assigns
 *   one; every response carries it. {@code X-Cage-Timeout-Ms} is the caller's remaining budget.</li>
 *   <li>Replies: a value is 200 JSON, bytes are 200 with their type, nothing is 204; {@code X-Cage-Version}
 *   names the version that answered. Failures are {@code {"error","message","requestId"}} JSON with the
 *   error code's status; {@code unavailable} adds {@code Retry-After: 1}. A streamed reply is 200 with
 *   {@code Transfer-Encoding: chunked}, written at the client's pace (at most 256 KiB plus a chunk unsent);
 *   one that fails after its first bytes is cut: the connection closes without the final chunk.</li>
 *   <li>HTTP/1.1 keep-alive and pipelining (answered in request order); limits on request line (414),
 *   headers (431) and body (413) from the config; malformed requests 400; idle connections closed.</li>
 * </ul>
 *
 * <h2>Admin listener ({@code http.adminBind}:{@code http.adminPort}; -1 disables it)</h2>
 * {@code GET /health}, {@code GET /cages}, {@code GET /history}, {@code GET /config-problems}, {@code GET /resources},
 * {@code POST /deploy} (the jar as body; 200 or 422), {@code POST /undeploy?cage=NAME} and
 * {@code DELETE /cages/NAME} (200, 404 or 422), {@code GET /metrics} (Prometheus text, or OpenMetrics when Accept
 * asks; 404 when metrics are off). With {@code http.adminToken} set, every admin request needs
 * {@code Authorization: Bearer <token>} (401 otherwise); beyond loopback a token is required to start.
 */
package io.cages.transport.http;
