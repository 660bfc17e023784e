import Foundation
import Logging
import Metrics
import Prometheus

/// swift-metrics and swift-log may be bootstrapped once per process; tests build many
/// applications in one process, so the one registry lives here.
public enum MetricsBootstrap {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
