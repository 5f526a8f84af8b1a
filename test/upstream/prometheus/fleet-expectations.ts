import { Fleet, FLEET_MINUTES, GpuSlot } from './fleet';

/**
 * What every recording rule and every dashboard panel query must return on the synthetic fleet at
 * FLEET_MINUTES, computed from the fleet's model (who holds which GPU when, how busy it is), not
 * from PromQL. Keyed by the recorded series, and by dashboard uid / panel title / target refId. A
 * rule or panel without an entry fails the suite. Pure.
 */

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export type Expectation = (f: Fleet) => Sample[];

const T = FLEET_MINUTES;
type Keyed = Map<string, number>;

const add = (m: Keyed, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const samples = (label: string, m: Keyed): Sample[] => [...m].map(([k, value]) => ({ labels: { [label]: k }, value }));
const teamOf = (f: Fleet, namespace: string): string | undefined => f.shape.teams.find((t) => Object.values(t.namespaces).includes(namespace))?.name;

/** GPUs requested by running pods per namespace; a namespace with only pending GPU pods has 0. */
function nsAllocated(f: Fleet, m: number): Keyed {
  const out: Keyed = new Map();
  for (const p of f.pods) if (f.exists(p, m)) add(out, p.namespace, f.running(p, m) ? p.gpus : 0);
  return out;
}

/** GPU-equivalents busy per namespace (utilisation / 100 of the GPUs its running pods hold). */
function nsUsed(f: Fleet, m: number): Keyed {
  const out: Keyed = new Map();
  for (const s of f.slots) {
    const h = f.holder(s, m);
    if (h !== undefined) add(out, h.namespace, f.util(s, m) / 100);
  }
  return out;
}

function byTeam(f: Fleet, ns: Keyed): Keyed {
  const out: Keyed = new Map();
  for (const [n, v] of ns) {
    const team = teamOf(f, n);
    if (team !== undefined) add(out, team, v);
  }
  return out;
}

/** GPU-hours of the hour before `at`: the GPU-minutes of the samples in (at - 60, at], / 60. */
function hours(at: number, perMinute: (m: number) => Keyed): Keyed {
  const out: Keyed = new Map();
  for (let m = at - 59; m <= at; m++) for (const [k, v] of perMinute(m)) add(out, k, v / 60);
  return out;
}

/** Sum of the hourly GPU-hours at each whole hour in (T - range, T]: what the cost panels show. */
function rangeTotal(perHour: (at: number) => Keyed, rangeMinutes: number): Keyed {
  const out: Keyed = new Map();
  for (let at = T; at > T - rangeMinutes; at -= 60) for (const [k, v] of perHour(at)) add(out, k, v);
  return out;
}

function perPool(f: Fleet, fn: (slots: GpuSlot[], pool: number) => number): Sample[] {
  return f.shape.pools.map((p, pool) => ({ labels: { pool: p.name }, value: fn(f.slots.filter((s) => s.pool === pool), pool) }));
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const poolAllocated = (f: Fleet, pool: number) => sum(f.pods.filter((p) => p.pool === pool && f.running(p, T)).map((p) => p.gpus));
const poolUsed = (f: Fleet, slots: GpuSlot[]) => sum(slots.map((s) => f.util(s, T) / 100));

const ERROR_RATIO = Fleet.REQUESTS.errors / (Fleet.REQUESTS.ok + Fleet.REQUESTS.errors);
const models = (f: Fleet) => Object.values(f.models());
const detector = (f: Fleet) => f.models().detector;
const modelLabels = (d: { namespace: string; model: string }) => ({ namespace: d.namespace, model: d.model });

/** histogram_quantile's linear interpolation inside the bucket holding the rank. */
function quantile(q: number, buckets: readonly (readonly [string, number])[]): number {
  const total = buckets[buckets.length - 1][1];
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, n] of buckets) {
    const upper = le === '+Inf' ? Infinity : Number(le);
    if (n >= rank) return upper === Infinity ? lower : lower + ((upper - lower) * (rank - below)) / (n - below);
    lower = upper;
    below = n;
  }
  return lower;
}

export const KNATIVE_P95_SECONDS = quantile(0.95, Fleet.KNATIVE_LATENCY) / 1000;
export const KSERVE_P95_SECONDS = quantile(0.95, Fleet.KSERVE_LATENCY);

const nsHoursAllocated = (f: Fleet, at: number) => hours(at, (m) => nsAllocated(f, m));
const nsHoursUsed = (f: Fleet, at: number) => hours(at, (m) => nsUsed(f, m));
const teamHoursAllocated = (f: Fleet, at: number) => hours(at, (m) => byTeam(f, nsAllocated(f, m)));
const teamHoursUsed = (f: Fleet, at: number) => hours(at, (m) => byTeam(f, nsUsed(f, m)));

const errorRatio = (f: Fleet): Sample[] => [{ labels: modelLabels(detector(f)), value: ERROR_RATIO }];

// ---- LLM serving ----

const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const VLLM_FINISHED_PER_MINUTE = sum(Object.values(Fleet.VLLM_FINISHED));
/** Engine errors over every finished request (stop, length, abort, error): aborts count as finished, not failed. */
const LLM_ERROR_RATIO = Fleet.VLLM_FINISHED.error / VLLM_FINISHED_PER_MINUTE;
/** One sample per LLM model (namespace, served model name) running at T. */
const perLlmModel = (f: Fleet, value: number): Sample[] => f.llmPods().filter((p) => f.running(p, T)).map((p) => ({ labels: { namespace: p.namespace, model: p.llmModel ?? '' }, value }));
const perLlmPod = (f: Fleet, value: number): Sample[] => f.llmPods().filter((p) => f.running(p, T)).map((p) => ({ labels: { namespace: p.namespace, pod: p.pod, model_name: p.llmModel ?? '' }, value }));
const perLlmModelName = (f: Fleet, value: number): Sample[] => f.llmPods().filter((p) => f.running(p, T)).map((p) => ({ labels: { namespace: p.namespace, model_name: p.llmModel ?? '' }, value }));

/** GPUs requested by running LLM model-server pods per namespace (KServe predictors and pending pods excluded). */
function nsLlmAllocated(f: Fleet, m: number): Keyed {
  const out: Keyed = new Map();
  for (const p of f.llmPods()) if (f.running(p, m)) add(out, p.namespace, p.gpus);
  return out;
}
const teamLlmHoursAllocated = (f: Fleet, at: number) => hours(at, (m) => byTeam(f, nsLlmAllocated(f, m)));

export const RECORDING_EXPECTATIONS: Readonly<Record<string, Expectation>> = {
  'namespace:gpu_allocated:sum': (f) => samples('namespace', nsAllocated(f, T)),
  'namespace:gpu_used:sum': (f) => samples('namespace', nsUsed(f, T)),
  'team:gpu_allocated:sum': (f) => samples('team', byTeam(f, nsAllocated(f, T))),
  'team:gpu_used:sum': (f) => samples('team', byTeam(f, nsUsed(f, T))),
  'namespace:gpu_hours_allocated:1h': (f) => samples('namespace', nsHoursAllocated(f, T)),
  'namespace:gpu_hours_used:1h': (f) => samples('namespace', nsHoursUsed(f, T)),
  'team:gpu_hours_allocated:1h': (f) => samples('team', teamHoursAllocated(f, T)),
  'team:gpu_hours_used:1h': (f) => samples('team', teamHoursUsed(f, T)),
  'pool:gpu_utilisation:avg': (f) => perPool(f, (slots) => sum(slots.map((s) => f.util(s, T))) / slots.length),
  'pool:gpu_memory_used:ratio': (f) => perPool(f, (slots) => sum(slots.map((s) => f.fbUsed(s, T))) / (slots.length * f.fbTotal())),
  'pool:gpu_capacity:sum': (f) => perPool(f, (slots) => slots.length),
  'pool:gpu_allocated:sum': (f) => perPool(f, (_slots, pool) => poolAllocated(f, pool)),
  'pool:gpu_used:sum': (f) => perPool(f, (slots) => poolUsed(f, slots)),
  'namespace_model:serving_requests:rate5m': (f) => [{ labels: modelLabels(detector(f)), value: (Fleet.REQUESTS.ok + Fleet.REQUESTS.errors) / 60 }],
  'namespace_model:serving_latency_seconds:p95_5m': (f) => [
    { labels: modelLabels(f.models().detector), value: KNATIVE_P95_SECONDS },
    { labels: modelLabels(f.models().summarizer), value: KSERVE_P95_SECONDS },
  ],
  ...Object.fromEntries(['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => [`namespace_model:serving_error_ratio:rate${w}`, errorRatio])),
  'namespace_model:prediction_drift_score:max': (f) => models(f).map((d) => ({ labels: modelLabels(d), value: Math.max(...d.drift) })),
  'namespace_model:prediction_drift_samples:sum': (f) => models(f).map((d) => ({ labels: modelLabels(d), value: d.samples })),
  'namespace_model:llm_ttft_seconds:p95_5m': (f) => perLlmModel(f, quantile(0.95, Fleet.VLLM_TTFT)),
  'namespace_model:llm_itl_seconds:p95_5m': (f) => perLlmModel(f, quantile(0.95, Fleet.VLLM_ITL)),
  'namespace_model:llm_queue_time_seconds:p95_5m': (f) => perLlmModel(f, quantile(0.95, Fleet.VLLM_QUEUE)),
  'namespace_model:llm_e2e_latency_seconds:p95_5m': (f) => perLlmModel(f, quantile(0.95, Fleet.VLLM_E2E)),
  'namespace_model:llm_requests:rate5m': (f) => perLlmModel(f, VLLM_FINISHED_PER_MINUTE / 60),
  ...Object.fromEntries(SLO_WINDOWS.map((w) => [`namespace_model:llm_error_ratio:rate${w}`, (f: Fleet) => perLlmModel(f, LLM_ERROR_RATIO)])),
  'namespace:llm_gpu_allocated:sum': (f) => samples('namespace', nsLlmAllocated(f, T)),
  'team:llm_gpu_allocated:sum': (f) => samples('team', byTeam(f, nsLlmAllocated(f, T))),
  'team:llm_gpu_hours_allocated:1h': (f) => samples('team', teamLlmHoursAllocated(f, T)),
};

/** Grafana's variables as the panels see them with "All" selected, and the range they are looked at over. */
export const PANEL_RANGE_MINUTES = 180;
export const GRAFANA_VARIABLES: Readonly<Record<string, string>> = {
  $__rate_interval: '4m',
  $__range: `${PANEL_RANGE_MINUTES / 60}h`,
  $pool: '.*',
  $team: '.*',
  $namespace: '.*',
};

export function substituteVariables(expr: string): string {
  const out = expr.replace(/\$__rate_interval|\$__range|\$[a-z][a-zA-Z0-9_]*/g, (v) => {
    const r = GRAFANA_VARIABLES[v];
    if (r === undefined) throw new Error(`panel query uses Grafana variable ${v}, which the test does not know: add it to GRAFANA_VARIABLES`);
    return r;
  });
  return out;
}

const rec = (name: string): Expectation => {
  const e = RECORDING_EXPECTATIONS[name];
  if (e === undefined) throw new Error(`no expectation for ${name}`);
  return e;
};
const byNode = (f: Fleet, fn: (slots: GpuSlot[]) => number): Sample[] =>
  f.shape.pools.flatMap((p, pool) => [...Array(p.nodes).keys()].map((node) => ({ labels: { node: f.nodeName(pool, node) }, value: fn(f.slots.filter((s) => s.pool === pool && s.node === node)) })));
const teams = (f: Fleet) => [...new Map(f.shape.teams.map((t) => [t.name, t])).values()];
const ratio = (num: Sample[], den: Sample[]): Sample[] =>
  num.flatMap((n) => {
    const d = den.find((x) => JSON.stringify(x.labels) === JSON.stringify(n.labels));
    return d === undefined || d.value <= 0 ? [] : [{ labels: n.labels, value: n.value / d.value }];
  });
const ofKeyed = (label: string, fn: (f: Fleet, at: number) => Keyed): Expectation => (f) => samples(label, rangeTotal((at) => fn(f, at), PANEL_RANGE_MINUTES));

export const PANEL_EXPECTATIONS: Readonly<Record<string, Expectation>> = {
  'ml-gpu-fleet/GPU utilisation per pool/A': rec('pool:gpu_utilisation:avg'),
  'ml-gpu-fleet/GPU memory used per pool/A': rec('pool:gpu_memory_used:ratio'),
  'ml-gpu-fleet/GPUs: capacity, allocated, used/A': rec('pool:gpu_capacity:sum'),
  'ml-gpu-fleet/GPUs: capacity, allocated, used/B': rec('pool:gpu_allocated:sum'),
  'ml-gpu-fleet/GPUs: capacity, allocated, used/C': rec('pool:gpu_used:sum'),
  'ml-gpu-fleet/Allocated GPUs doing work/A': (f) => ratio(rec('pool:gpu_used:sum')(f), rec('pool:gpu_allocated:sum')(f)),
  'ml-gpu-fleet/Hottest GPU per node/A': (f) => byNode(f, (slots) => Math.max(...slots.map((s) => f.temp(s, T)))),
  'ml-gpu-fleet/Power draw per node/A': (f) => byNode(f, (slots) => sum(slots.map((s) => f.power(s, T)))),
  'ml-gpu-fleet/XID errors in range/A': (f) => {
    const s = f.xidSlot();
    const worst = Math.max(...Array.from({ length: PANEL_RANGE_MINUTES }, (_, i) => f.xid(s, T - i)));
    return worst > 0 ? [{ labels: { node: f.nodeName(s.pool, s.node), gpu: String(s.gpu), modelName: f.shape.pools[s.pool].model }, value: worst }] : [];
  },
  'ml-team-queues/Pending workloads/A': (f) => teams(f).flatMap((t) => [
    { labels: { cluster_queue: t.clusterQueue, status: 'active' }, value: f.pendingWorkloads(t.name, T) },
    { labels: { cluster_queue: t.clusterQueue, status: 'inadmissible' }, value: 0 },
  ]),
  'ml-team-queues/Admitted, running workloads/A': (f) => teams(f).map((t) => ({ labels: { cluster_queue: t.clusterQueue }, value: f.admittedActive(t.name, T) })),
  'ml-team-queues/Quota used (of nominal)/A': (f) => teams(f).map((t) => ({ labels: { cluster_queue: t.clusterQueue, resource: 'nvidia.com/gpu' }, value: f.cqGpuUsage(t.name, T) / f.cqGpuNominal(t.name) })),
  'ml-team-queues/Admission wait, p90/A': (f) => teams(f).map((t) => ({ labels: { cluster_queue: t.clusterQueue }, value: quantile(0.9, Fleet.ADMISSION_WAIT) })),
  'ml-team-queues/GPUs allocated vs used per team/A': rec('team:gpu_allocated:sum'),
  'ml-team-queues/GPUs allocated vs used per team/B': rec('team:gpu_used:sum'),
  'ml-team-queues/Namespace quota used/A': (f) =>
    f.shape.teams.flatMap((t) => Object.entries(t.gpuQuota).filter(([, hard]) => hard > 0).map(([namespace, hard]) => ({ labels: { namespace, resource: 'requests.nvidia.com/gpu' }, value: f.quotaUsed(namespace, T) / hard }))),
  'ml-model-serving/Requests per second/A': rec('namespace_model:serving_requests:rate5m'),
  'ml-model-serving/Error ratio (5xx), 5m/A': rec('namespace_model:serving_error_ratio:rate5m'),
  'ml-model-serving/Latency p95/A': rec('namespace_model:serving_latency_seconds:p95_5m'),
  'ml-model-serving/Error ratio (5xx), 1h and 6h/A': rec('namespace_model:serving_error_ratio:rate1h'),
  'ml-model-serving/Error ratio (5xx), 1h and 6h/B': rec('namespace_model:serving_error_ratio:rate6h'),
  'ml-model-serving/Prediction drift score/A': rec('namespace_model:prediction_drift_score:max'),
  'ml-model-serving/Predictions behind the drift score/A': rec('namespace_model:prediction_drift_samples:sum'),
  'ml-llm-serving/Time to first token, p95/A': rec('namespace_model:llm_ttft_seconds:p95_5m'),
  'ml-llm-serving/Inter-token latency, p95/A': rec('namespace_model:llm_itl_seconds:p95_5m'),
  'ml-llm-serving/Queue time and end-to-end latency, p95/A': rec('namespace_model:llm_queue_time_seconds:p95_5m'),
  'ml-llm-serving/Queue time and end-to-end latency, p95/B': rec('namespace_model:llm_e2e_latency_seconds:p95_5m'),
  'ml-llm-serving/KV cache used per model server/A': (f) => perLlmPod(f, Fleet.VLLM_KV_CACHE),
  'ml-llm-serving/Requests waiting and running/A': (f) => perLlmModelName(f, Fleet.VLLM_WAITING),
  'ml-llm-serving/Requests waiting and running/B': (f) => perLlmModelName(f, Fleet.VLLM_RUNNING),
  'ml-llm-serving/Finished requests per second/A': rec('namespace_model:llm_requests:rate5m'),
  'ml-llm-serving/Engine errors (share of finished requests), 5m and 1h/A': rec('namespace_model:llm_error_ratio:rate5m'),
  'ml-llm-serving/Engine errors (share of finished requests), 5m and 1h/B': rec('namespace_model:llm_error_ratio:rate1h'),
  'ml-llm-serving/GPUs held by LLM model servers/A': rec('namespace:llm_gpu_allocated:sum'),
  'ml-gpu-cost/GPU-hours of LLM serving per team (range)/A': ofKeyed('team', teamLlmHoursAllocated),
  'ml-gpu-cost/GPU-hours per team (range)/A': ofKeyed('team', teamHoursAllocated),
  'ml-gpu-cost/GPU-hours per team (range)/B': ofKeyed('team', teamHoursUsed),
  'ml-gpu-cost/GPU-hours per namespace (range)/A': ofKeyed('namespace', nsHoursAllocated),
  'ml-gpu-cost/GPU-hours per namespace (range)/B': ofKeyed('namespace', nsHoursUsed),
  'ml-gpu-cost/GPU efficiency per team (used / allocated)/A': (f) => ratio(rec('team:gpu_used:sum')(f), rec('team:gpu_allocated:sum')(f)),
  'ml-gpu-cost/GPU cost per namespace, per hour (OpenCost)/A': (f) => {
    const out: Keyed = new Map();
    for (const p of f.pods) if (f.running(p, T)) add(out, p.namespace, p.gpus * f.gpuHourlyCost(p.pool));
    return samples('namespace', out);
  },
};

/** GPU-hours per team over the panel range as the fleet model has them: GPUs held x minutes / 60. */
export function heldGpuHours(f: Fleet): Keyed {
  const out: Keyed = new Map();
  for (let m = T - PANEL_RANGE_MINUTES + 1; m <= T; m++) for (const [team, v] of byTeam(f, nsAllocated(f, m))) add(out, team, v / 60);
  return out;
}

/**
 * A `label_values(metric, label)` variable as the query Grafana's Prometheus datasource answers it
 * from: the label's values on the metric's series (`group by (label) (metric)`).
 */
export function variableQuery(definition: string): { expr: string; label: string } {
  const m = /^label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(definition);
  if (m === null) throw new Error(`dashboard variable "${definition}" is not label_values(metric, label)`);
  return { expr: `group by (${m[2]}) (${m[1]})`, label: m[2] };
}

/** The values each variable must offer on the fleet, by dashboard uid / $name. */
export const VARIABLE_EXPECTATIONS: Readonly<Record<string, (f: Fleet) => string[]>> = {
  'ml-gpu-fleet/$pool': (f) => f.shape.pools.map((p) => p.name),
  'ml-team-queues/$team': (f) => teams(f).map((t) => t.name),
  'ml-model-serving/$namespace': (f) => f.shape.teams.flatMap((t) => Object.values(t.namespaces)),
  'ml-gpu-cost/$team': (f) => teams(f).map((t) => t.name),
  'ml-llm-serving/$namespace': (f) => [...new Set(f.llmPods().map((p) => p.namespace))],
};
