package io.cages.host.admin;

/**
 * The host's metrics as text, for {@code GET /metrics}.
 *
 * @param contentType the exposition format: Prometheus text 0.0.4 or OpenMetrics 1.0.0
 * @param text        the metrics in that format
 */
public record MetricsText(String contentType, String text) {
}
