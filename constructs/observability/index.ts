/**
 * Everything observable: scrape targets (ServiceMonitors, PodMonitors), recording and alert rules
 * with runbooks, Grafana dashboards, the kube-prometheus-stack values, and the metric catalogue
 * every rule and dashboard is checked against.
 */
export * from './alert-rules';
export * from './dashboard';
export * from './dashboards';
export * from './grafana-dashboard';
export * from './metric-catalogue';
export * from './monitor-labels';
export * from './observability-plan';
export * from './observability';
export * from './pod-monitor';
export * from './prometheus-rule';
export * from './promql';
export * from './recording-rules';
export * from './scrape-targets';
export * from './service-monitor';
export * from './stack-values';
