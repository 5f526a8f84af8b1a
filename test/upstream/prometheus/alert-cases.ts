import { AlertThresholds } from '../../../environments/observability-schema';
import { counter, durationMinutes, encodeValues, gauge, InputSeries, series, Value } from './series';

/**
 * Series histories for every platform alert: at least one that must fire it (with the labels and
 * value it fires with) and ones just on the quiet side of its threshold or duration that must not.
 * Thresholds come from the environment's spec and durations from the rule as synthesized, so the
 * cases move with them. Pure: the suite turns them into promtool unit tests.
 */

export interface ExpectedAlert {
  /** Labels of the firing series (the rule's own labels, e.g. severity, are added by the suite). */
  readonly labels: Readonly<Record<string, string>>;
  /** The alert's value, which the annotations' `$value` shows. */
  readonly value: number;
}

export interface AlertCase {
  readonly name: string;
  readonly evalMinutes: number;
  readonly series: readonly InputSeries[];
  /** Empty: the alert must not fire at evalMinutes. */
  readonly expect: readonly ExpectedAlert[];
  /** For the burn-rate alerts: the window pair the case is about, e.g. "1h/5m". */
  readonly windows?: string;
  /** Minutes between samples (and rule evaluations). @default 1 */
  readonly stepMinutes?: number;
}

/** What a case builder gets: the spec's thresholds and the alert as synthesized. */
export interface AlertContext {
  readonly t: AlertThresholds;
  readonly expr: string;
  /** The rule's `for`, minutes. */
  readonly forMinutes: number;
}

export type AlertCaseBuilder = (ctx: AlertContext) => AlertCase[];

const fire = (name: string, evalMinutes: number, s: readonly InputSeries[], ...expect: ExpectedAlert[]): AlertCase => ({ name, evalMinutes, series: s, expect });
const quiet = (name: string, evalMinutes: number, s: readonly InputSeries[]): AlertCase => ({ name, evalMinutes, series: s, expect: [] });

/** The range of `fn(metric[<range>])` in the synthesized expression, minutes. */
function rangeIn(expr: string, fn: string, metric: string): number {
  const m = new RegExp(`${fn}\\(${metric}(?:\\{[^}]*\\})?\\[(\\w+)\\]\\)`).exec(expr);
  if (m === null) throw new Error(`expected ${fn}(${metric}[...]) in ${expr}`);
  return durationMinutes(m[1]);
}

// ---- GPU (DCGM exporter, scraped with honorLabels and the node name added) ----

const DCGM_JOB = { job: 'nvidia-dcgm-exporter', instance: '10.0.3.17:9400', Hostname: 'nvidia-dcgm-exporter-7xk2p' };
const gpuLabels = (gpu: string, pod: { namespace: string; pod: string; container: string } | undefined) => ({
  ...DCGM_JOB,
  gpu,
  UUID: `GPU-4f0c6a2e-0000-0000-0000-00000000000${gpu}`,
  device: `nvidia${gpu}`,
  modelName: 'NVIDIA A100-SXM4-80GB',
  node: 'gpu-node-1',
  ...(pod ?? {}),
});
const TRAINER = { namespace: 'vision-training', pod: 'resnet-trainer-0', container: 'trainer' };

const gpuAllocatedButIdle: AlertCaseBuilder = ({ t, expr, forMinutes }) => {
  const idle = t.gpuIdlePercent / 2;
  const window = rangeIn(expr, 'avg_over_time', 'DCGM_FI_DEV_GPU_UTIL');
  const busy = 10;
  const util = (...phases: [number, number][]) => series('DCGM_FI_DEV_GPU_UTIL', gpuLabels('0', TRAINER), gauge(...phases));
  // The 5m average drops below the threshold `window - 1` minutes after the GPU goes idle.
  const idleFrom = busy + window - 1;
  const labels = { node: 'gpu-node-1', gpu: '0', namespace: TRAINER.namespace, pod: TRAINER.pod };
  return [
    fire(`busy ${busy} min, then ${idle}% for the ${forMinutes} min after the ${window}m average fell below ${t.gpuIdlePercent}%: fires`, idleFrom + forMinutes + 2, [util([busy, 80], [idleFrom + forMinutes, idle])], { labels, value: idle }),
    quiet(`idle for ${forMinutes - 1} min after busy work: not yet`, busy + forMinutes - 1, [util([busy, 80], [forMinutes + 5, idle])]),
    quiet(`exactly ${t.gpuIdlePercent}% (the threshold) for ${forMinutes + 20} min: silent`, forMinutes + 15, [util([forMinutes + 20, t.gpuIdlePercent])]),
    quiet('an idle GPU no pod holds: silent', forMinutes + 15, [series('DCGM_FI_DEV_GPU_UTIL', gpuLabels('1', undefined), gauge([forMinutes + 20, 0]))]),
  ];
};

const gpuMemoryNearFull: AlertCaseBuilder = ({ t, forMinutes }) => {
  const total = 80000;
  const mem = (percent: number, minutes: number) => {
    const used = (total * percent) / 100;
    return [series('DCGM_FI_DEV_FB_USED', gpuLabels('2', TRAINER), gauge([minutes, used])), series('DCGM_FI_DEV_FB_FREE', gpuLabels('2', TRAINER), gauge([minutes, total - used]))];
  };
  const high = (t.gpuMemoryFullPercent + 100) / 2;
  const below = t.gpuMemoryFullPercent - 0.5;
  return [
    fire(`${high}% used for ${forMinutes + 5} min: fires`, forMinutes + 3, mem(high, forMinutes + 5), { labels: gpuLabels('2', TRAINER), value: high }),
    quiet(`${below}% used (just under ${t.gpuMemoryFullPercent}%): silent`, forMinutes + 3, mem(below, forMinutes + 5)),
    quiet(`${high}% used for ${forMinutes - 1} min: not yet`, forMinutes - 1, mem(high, forMinutes + 5)),
  ];
};

/**
 * DCGM keeps reporting the last XID code until the exporter restarts (NVIDIA/DCGM#277,
 * dcgm-exporter#500): the histories hold the code after the error, as the exporter does.
 */
const gpuXidError: AlertCaseBuilder = ({ expr }) => {
  const window = rangeIn(expr, 'changes', 'DCGM_FI_DEV_XID_ERRORS');
  const xid = (...phases: [number, number][]) => series('DCGM_FI_DEV_XID_ERRORS', gpuLabels('3', undefined), gauge(...phases));
  const labels = { node: 'gpu-node-1', gpu: '3', modelName: 'NVIDIA A100-SXM4-80GB' };
  return [
    fire('XID 79 reported: fires at once', 22, [xid([20, 0], [10, 79])], { labels, value: 79 }),
    fire('XID 48 while the earlier 79 is still reported: fires with 48', 5 + window + 10 + 2, [xid([5, 0], [window + 10, 79], [10, 48])], { labels, value: 48 }),
    quiet(`XID 79 reported ${window + 2} min ago, the exporter still shows it (window ${window}m): silent`, 5 + window + 2, [xid([5, 0], [window + 10, 79])]),
    quiet('no XID: silent', 29, [xid([30, 0])]),
  ];
};

const gpuTemperatureHigh: AlertCaseBuilder = ({ t, forMinutes }) => {
  const temp = (celsius: number) => series('DCGM_FI_DEV_GPU_TEMP', gpuLabels('4', undefined), gauge([forMinutes + 5, celsius]));
  const hot = t.gpuTemperatureCelsius + 5;
  return [
    fire(`${hot} C for ${forMinutes + 2} min: fires`, forMinutes + 2, [temp(hot)], { labels: { node: 'gpu-node-1', gpu: '4' }, value: hot }),
    quiet(`${t.gpuTemperatureCelsius} C (the threshold): silent`, forMinutes + 2, [temp(t.gpuTemperatureCelsius)]),
    quiet(`${hot} C for ${forMinutes - 1} min: not yet`, forMinutes - 1, [temp(hot)]),
  ];
};

// ---- Queues (Kueue, kube-state-metrics) ----

const KUEUE = { job: 'kueue-controller-manager-metrics-service', instance: '10.0.1.4:8443' };

const kueueWorkloadsPendingTooLong: AlertCaseBuilder = ({ t, forMinutes }) => {
  const q = t.queuePendingMinutes;
  const cq = 'vision-training';
  const admitting = 30;
  const total = admitting + q + forMinutes + 10;
  const pending = [
    series('kueue_pending_workloads', { ...KUEUE, cluster_queue: cq, status: 'active' }, gauge([total, 2])),
    series('kueue_pending_workloads', { ...KUEUE, cluster_queue: cq, status: 'inadmissible' }, gauge([total, 1])),
  ];
  const admittedThenNone = series('kueue_admitted_workloads_total', { ...KUEUE, cluster_queue: cq }, counter(40, [admitting, 1], [total - admitting - 1, 0]));
  const admittedAlways = series('kueue_admitted_workloads_total', { ...KUEUE, cluster_queue: cq }, counter(40, [total - 1, 1]));
  // The last admission is the sample at minute `admitting`: the increase over q minutes is 0 from minute admitting + q - 1.
  return [
    fire(`3 pending, none admitted for ${q} min plus the ${forMinutes} min for: fires`, admitting + q + forMinutes + 2, [...pending, admittedThenNone], { labels: { cluster_queue: cq }, value: 3 }),
    quiet(`3 pending, none admitted for ${q - 2} min: silent`, admitting + q - 2, [...pending, admittedThenNone]),
    quiet('3 pending, admitting every minute: silent', admitting + q + forMinutes + 2, [...pending, admittedAlways]),
    // A queue that had nothing to do for hours gets a workload, which waits a few minutes for quota.
    quiet(`idle queue, nothing admitted for ${q + 15} min, a workload pending for ${forMinutes + 5} min: silent`, q + 15 + forMinutes + 5, [
      series('kueue_pending_workloads', { ...KUEUE, cluster_queue: cq, status: 'active' }, gauge([q + 15, 0], [forMinutes + 10, 1])),
      series('kueue_admitted_workloads_total', { ...KUEUE, cluster_queue: cq }, counter(40, [q + forMinutes + 24, 0])),
    ]),
    fire(`idle queue, a workload pending for ${q} min plus the ${forMinutes} min for: fires`, 15 + q + forMinutes + 3, [
      series('kueue_pending_workloads', { ...KUEUE, cluster_queue: cq, status: 'active' }, gauge([15, 0], [q + forMinutes + 10, 1])),
      series('kueue_admitted_workloads_total', { ...KUEUE, cluster_queue: cq }, counter(40, [q + forMinutes + 24, 0])),
    ], { labels: { cluster_queue: cq }, value: 1 }),
  ];
};

const kueueClusterQueueNearQuota: AlertCaseBuilder = ({ t, forMinutes }) => {
  const nominal = 200;
  const labels = { ...KUEUE, cohort: 'ml-platform', cluster_queue: 'nlp-training', flavor: 'a100', resource: 'nvidia.com/gpu' };
  const quota = (percent: number) => [
    series('kueue_cluster_queue_nominal_quota', labels, gauge([forMinutes + 10, nominal])),
    series('kueue_cluster_queue_resource_usage', labels, gauge([forMinutes + 10, (nominal * percent) / 100])),
  ];
  const high = (t.clusterQueueQuotaPercent + 100) / 2;
  const below = t.clusterQueueQuotaPercent - 0.5;
  return [
    fire(`${high}% of nominal quota for ${forMinutes + 5} min: fires`, forMinutes + 5, quota(high), { labels: { cluster_queue: 'nlp-training', resource: 'nvidia.com/gpu' }, value: high }),
    quiet(`${below}% of nominal quota: silent`, forMinutes + 5, quota(below)),
    quiet(`${high}% for ${forMinutes - 1} min: not yet`, forMinutes - 1, quota(high)),
  ];
};

const KSM = { job: 'kube-state-metrics', instance: '10.0.1.9:8080' };
const nsLabels = (namespace: string, team: string | undefined, stage: string | undefined, minutes: number) =>
  series('kube_namespace_labels', { ...KSM, namespace, ...(team === undefined ? {} : { label_ml_platform_team: team }), ...(stage === undefined ? {} : { label_ml_platform_stage: stage }) }, gauge([minutes, 1]));

const namespaceQuotaNearFull: AlertCaseBuilder = ({ t, forMinutes }) => {
  const hard = 200;
  const minutes = forMinutes + 10;
  const quota = (namespace: string, percent: number) => {
    const l = { ...KSM, namespace, resourcequota: 'team-quota', resource: 'requests.nvidia.com/gpu' };
    return [series('kube_resourcequota', { ...l, type: 'hard' }, gauge([minutes, hard])), series('kube_resourcequota', { ...l, type: 'used' }, gauge([minutes, (hard * percent) / 100]))];
  };
  const high = (t.namespaceQuotaPercent + 100) / 2;
  const below = t.namespaceQuotaPercent - 0.5;
  const team = nsLabels('vision-training', 'vision', 'training', minutes);
  return [
    fire(`a team namespace at ${high}% of its GPU quota: fires`, forMinutes + 5, [team, ...quota('vision-training', high)], {
      labels: { ...KSM, namespace: 'vision-training', resourcequota: 'team-quota', resource: 'requests.nvidia.com/gpu' },
      value: high,
    }),
    quiet(`a team namespace at ${below}%: silent`, forMinutes + 5, [team, ...quota('vision-training', below)]),
    quiet('a namespace of no team at 100%: silent', forMinutes + 5, [nsLabels('kube-system', undefined, undefined, minutes), ...quota('kube-system', 100)]),
  ];
};

// ---- Training (kube-state-metrics) ----

const container = { namespace: 'nlp-training', pod: 'llm-finetune-worker-1', container: 'pytorch' };
const containerLabels = { namespace: container.namespace, pod: container.pod, container: container.container };

const trainingPodOomKilled: AlertCaseBuilder = ({ expr }) => {
  const window = rangeIn(expr, 'increase', 'kube_pod_container_status_restarts_total');
  const minutes = window + 20;
  const training = nsLabels('nlp-training', 'nlp', 'training', minutes);
  const lastOom = series('kube_pod_container_status_last_terminated_reason', { ...KSM, ...container, reason: 'OOMKilled' }, gauge([minutes, 1]));
  const restartAt = (minute: number) => series('kube_pod_container_status_restarts_total', { ...KSM, ...container }, counter(2, [minute, 0], [1, 1], [minutes - minute - 2, 0]));
  return [
    fire('OOMKilled and restarted 3 min ago: fires at once', 13, [training, lastOom, restartAt(10)], { labels: containerLabels, value: 1 }),
    fire('terminated now with reason OOMKilled (no restart): fires at once', 5, [training, series('kube_pod_container_status_terminated_reason', { ...KSM, ...container, reason: 'OOMKilled' }, gauge([minutes, 1]))], { labels: containerLabels, value: 1 }),
    quiet(`the OOM restart was ${window + 2} min ago (window ${window}m): silent`, 5 + window + 2, [training, lastOom, restartAt(4)]),
    quiet('OOMKilled in a serving namespace: silent', 13, [nsLabels('nlp-training', 'nlp', 'serving', minutes), lastOom, restartAt(10)]),
  ];
};

/** 1 while `on(minute)`, absent otherwise (a staleness marker where it disappears), for `minutes` samples. */
function withGaps(minutes: number, on: (m: number) => boolean): Value[] {
  return Array.from({ length: minutes }, (_, m): Value => (on(m) ? 1 : m > 0 && on(m - 1) ? 'stale' : null));
}

const trainingPodCrashLooping: AlertCaseBuilder = ({ forMinutes }) => {
  const minutes = forMinutes + 10;
  const looping = series('kube_pod_container_status_waiting_reason', { ...KSM, ...container, reason: 'CrashLoopBackOff' }, gauge([minutes, 1]));
  // A real crash loop: kube-state-metrics reports the waiting reason only while the container
  // waits, so the series goes stale for the minute each restart runs (back-off caps at 5 min).
  const cycles = (m: number): boolean => m % 6 !== 5;
  const loopMinutes = forMinutes + 25;
  const gappy = series('kube_pod_container_status_waiting_reason', { ...KSM, ...container, reason: 'CrashLoopBackOff' }, encodeValues(withGaps(loopMinutes, cycles)));
  const recoveredAfter = 10;
  const recovered = series('kube_pod_container_status_waiting_reason', { ...KSM, ...container, reason: 'CrashLoopBackOff' }, encodeValues(withGaps(recoveredAfter + forMinutes + 10, (m) => m < recoveredAfter)));
  return [
    fire(`CrashLoopBackOff for ${forMinutes + 3} min: fires`, forMinutes + 3, [nsLabels('nlp-training', 'nlp', 'training', minutes), looping], { labels: containerLabels, value: 1 }),
    fire(`5 min CrashLoopBackOff, 1 min running, over and over for ${forMinutes + 20} min: fires`, forMinutes + 20, [nsLabels('nlp-training', 'nlp', 'training', loopMinutes), gappy], { labels: containerLabels, value: 1 }),
    quiet(`looped ${recoveredAfter} min, then ran fine for ${forMinutes + 5} min: silent`, recoveredAfter + forMinutes + 5, [nsLabels('nlp-training', 'nlp', 'training', recoveredAfter + forMinutes + 10), recovered]),
    quiet(`CrashLoopBackOff for ${forMinutes - 1} min: not yet`, forMinutes - 1, [nsLabels('nlp-training', 'nlp', 'training', minutes), looping]),
    quiet('CrashLoopBackOff in a data-prep namespace: silent', forMinutes + 3, [nsLabels('nlp-training', 'nlp', 'data-prep', minutes), looping]),
  ];
};

// ---- Serving (Knative queue-proxy) ----

const KNATIVE = { job: 'kserve-predictors', namespace: 'vision-serving', namespace_name: 'vision-serving', service_name: 'detector-predictor', revision_name: 'detector-predictor-00001', pod: 'detector-predictor-00001-deployment-5d9c' };
const MODEL = { namespace: 'vision-serving', model: 'detector' };

const modelLatencyP95High: AlertCaseBuilder = ({ t, forMinutes }) => {
  const ms = t.servingLatencyP95Ms;
  const minutes = forMinutes + 10;
  /** Requests per minute in (0, ms] and in (ms, 2ms]: the p95 interpolates inside the bucket that holds it. */
  const histogram = (fast: number, slow: number) =>
    (
      [
        [String(ms), fast],
        [String(2 * ms), fast + slow],
        ['+Inf', fast + slow],
      ] as const
    ).map(([le, perMinute]) => series('revision_request_latencies_bucket', { ...KNATIVE, response_code_class: '2xx', le }, counter(1000, [minutes - 1, perMinute])));
  // All requests in (ms, 2ms]: p95 = ms + 0.95 ms. All in (0, ms]: p95 = 0.95 ms.
  return [
    fire(`p95 ${1.95 * ms} ms for ${forMinutes + 4} min: fires`, forMinutes + 5, histogram(0, 600), { labels: MODEL, value: 1.95 * ms }),
    quiet(`p95 ${0.95 * ms} ms (under ${ms} ms): silent`, forMinutes + 5, histogram(600, 0)),
    quiet(`p95 ${1.95 * ms} ms for ${forMinutes - 1} min: not yet`, forMinutes, histogram(0, 600)),
  ];
};

/** A burn-rate condition of the synthesized expression: both windows above the threshold. */
export interface BurnPair {
  readonly long: string;
  readonly short: string;
  readonly threshold: number;
}

/** The window pairs of a burn-rate expression over `namespace_model:<slo>_error_ratio:rate<window>` (serving, llm). */
export function burnPairs(expr: string): BurnPair[] {
  const re = /namespace_model:([a-z_]+)_error_ratio:rate(\w+) > ([0-9.e+-]+) and namespace_model:([a-z_]+)_error_ratio:rate(\w+) > ([0-9.e+-]+)/g;
  return [...expr.matchAll(re)].map((m) => {
    if (m[1] !== m[4]) throw new Error(`burn-rate pair ${m[2]}/${m[5]} compares error ratios of two SLOs (${m[1]}, ${m[4]})`);
    if (m[3] !== m[6]) throw new Error(`burn-rate pair ${m[2]}/${m[5]} compares the windows with different thresholds (${m[3]}, ${m[6]})`);
    return { long: m[2], short: m[5], threshold: Number(m[3]) };
  });
}

/** A request history in samples of `step` minutes: [samples, error fraction]. */
export type ErrorPhase = readonly [samples: number, errorFraction: number];
const REQUESTS_PER_SAMPLE = 1000;

/**
 * 5xx / all requests over the window (t - w, t]: the increase between the first and the last sample
 * in it (t and w in samples). The same for any extrapolation, which scales both counters alike.
 */
export function windowErrorRatio(phases: readonly ErrorPhase[], evalSample: number, windowSamples: number): number {
  // Increments happen at samples 1..n (sample 0 is the start value); the window's samples run from t-w+1 to t.
  const perSample: number[] = [0];
  for (const [samples, f] of phases) for (let i = 0; i < samples; i++) perSample.push(f);
  let errors = 0;
  let all = 0;
  for (let m = evalSample - windowSamples + 2; m <= evalSample; m++) {
    if (m < 1 || m >= perSample.length) continue;
    errors += perSample[m] * REQUESTS_PER_SAMPLE;
    all += REQUESTS_PER_SAMPLE;
  }
  return all === 0 ? 0 : errors / all;
}

/** Requests of a history as the exporter counts them: REQUESTS_PER_SAMPLE per sample, the error fraction failing. */
type RequestSeries = (phases: readonly ErrorPhase[]) => InputSeries[];

function requestSeries(phases: readonly ErrorPhase[]): InputSeries[] {
  const code = (cls: string, status: string, share: (f: number) => number) =>
    series('revision_request_count', { ...KNATIVE, response_code_class: cls, response_code: status }, counter(100000, ...phases.map(([samples, f]) => [samples, share(f) * REQUESTS_PER_SAMPLE] as const)));
  return [code('2xx', '200', (f) => 1 - f), code('5xx', '503', (f) => f)];
}

/** Which pairs burn at a sample (both windows above the threshold), by the reference arithmetic above. */
export function burningPairs(pairs: readonly BurnPair[], phases: readonly ErrorPhase[], evalSample: number, step: number): BurnPair[] {
  const ratio = (w: string) => windowErrorRatio(phases, evalSample, durationMinutes(w) / step);
  return pairs.filter((p) => ratio(p.long) > p.threshold && ratio(p.short) > p.threshold);
}

/**
 * The sample interval of a burn-rate alert's histories: the coarsest of 4, 3, 2, 1 minutes that
 * divides every window and leaves at least 2 samples in the shortest. (4 minutes turns the slow
 * burn's 3-day histories into ~1100 samples; Prometheus' 5m lookback still sees every sample.)
 */
export function burnStep(pairs: readonly BurnPair[]): number {
  const windows = pairs.flatMap((p) => [durationMinutes(p.long), durationMinutes(p.short)]);
  return [4, 3, 2, 1].find((i) => windows.every((w) => w % i === 0 && w >= 2 * i)) ?? 1;
}

/**
 * For each window pair: a history where that pair burns (and the alert's value is that pair's long
 * window), one where the long window still burns but the short one has recovered, and one just
 * under the pair's threshold. The histories are shaped from the pair's windows and checked against
 * a reference computation of the window ratios before promtool sees them.
 */
const burnRateOf = (requests: RequestSeries, labels: Readonly<Record<string, string>>): AlertCaseBuilder => ({ expr, forMinutes }) => {
  const pairs = burnPairs(expr);
  if (pairs.length === 0) throw new Error(`no burn-rate window pairs found in ${expr}`);
  const step = burnStep(pairs);
  const samples = (minutes: number) => Math.ceil(minutes / step);
  const cases: AlertCase[] = [];
  pairs.forEach((p, i) => {
    const long = samples(durationMinutes(p.long));
    const short = samples(durationMinutes(p.short));
    // Pair i burns at 1.25x its threshold for its long window plus `for`. Earlier pairs (shorter
    // windows, higher thresholds) stay under it; the first pair gets a clean prefix as long as its
    // long window, so longer windows average the burst down and the alert's value (the first
    // matching pair's long-window ratio) says which pair fired.
    const clean: ErrorPhase[] = i === 0 ? [[long, 0]] : [];
    const burst = long + samples(forMinutes) + samples(10);
    const firing: ErrorPhase[] = [...clean, [burst, 1.25 * p.threshold]];
    const evalAt = (i === 0 ? long : 0) + burst - 1;
    // The long window keeps burning while the short one has recovered; later pairs' short windows
    // are longer, so recover for at least those too.
    const recover = Math.max(short, ...pairs.slice(i + 1).map((q) => samples(durationMinutes(q.short)))) + samples(5);
    const burnFactor = Math.max(2, (1.1 * long) / (long - recover));
    const recovered: ErrorPhase[] = [[long, burnFactor * p.threshold], [recover, 0]];
    const recoveredAt = long + recover - 1;
    // Just under the threshold; a clean prefix as long as the longest window keeps later pairs
    // (longer windows, lower thresholds) under theirs.
    const longest = Math.max(...pairs.map((q) => samples(durationMinutes(q.long))));
    const below: ErrorPhase[] = [...(i < pairs.length - 1 ? [[longest, 0] as const] : []), [burst, 0.95 * p.threshold]];
    const belowAt = (i < pairs.length - 1 ? longest : 0) + burst - 1;
    const pair = `${p.long}/${p.short}`;
    const value = 1.25 * p.threshold;
    const withStep = (c: AlertCase): AlertCase => ({ ...c, windows: pair, stepMinutes: step });
    cases.push(withStep(fire(`${pair} both above ${p.threshold} (${value} for ${burst * step} min): fires with the ${p.long} ratio`, evalAt * step, requests(firing), { labels, value })));
    cases.push(withStep(quiet(`${pair}: ${p.long} still above ${p.threshold}, ${p.short} recovered for ${recover * step} min: silent`, recoveredAt * step, requests(recovered))));
    cases.push(withStep(quiet(`${pair}: ${0.95 * p.threshold} (0.95x the threshold) for ${burst * step} min: silent`, belowAt * step, requests(below))));
    // The reference arithmetic must agree with the intent, or the history does not test what it says.
    const at = (phases: readonly ErrorPhase[], sample: number) => burningPairs(pairs, phases, sample, step).map((q) => `${q.long}/${q.short}`);
    const firstBurning = at(firing, evalAt)[0];
    if (firstBurning !== pair) throw new Error(`burn-rate case for ${pair}: the first burning pair at ${evalAt * step} min is ${firstBurning ?? 'none'}; reshape the history`);
    if (windowErrorRatio(recovered, recoveredAt, long) <= p.threshold) throw new Error(`burn-rate case for ${pair}: the long window does not burn in the recovered history`);
    if (at(recovered, recoveredAt).length > 0) throw new Error(`burn-rate case for ${pair}: some pair still burns in the recovered history`);
    if (at(below, belowAt).length > 0) throw new Error(`burn-rate case for ${pair}: some pair burns in the below-threshold history`);
  });
  return cases;
};

const burnRate = burnRateOf(requestSeries, MODEL);

// ---- LLM serving (vLLM model servers of an LLMInferenceService) ----

/** A vLLM model server as its PodMonitor scrapes it: vLLM's own labels are model_name and engine. */
const VLLM = { job: 'monitoring/ml-platform-llm-model-servers', instance: '10.0.5.21:8000', container: 'main', namespace: 'nlp-serving', pod: 'llama-8b-kserve-workload-7d9f4-x2k8p', model_name: 'llama-3.1-8b-instruct', engine: '0' };
const LLM_MODEL = { namespace: VLLM.namespace, model: VLLM.model_name };

/**
 * A p95 alert over a vLLM histogram: buckets at the threshold and twice it, so all requests in the
 * upper bucket put the p95 at 1.95x the threshold and all in the lower one at 0.95x.
 */
const llmP95 = (histogram: string, threshold: (t: AlertThresholds) => number): AlertCaseBuilder => ({ t, forMinutes }) => {
  const ms = threshold(t);
  const minutes = forMinutes + 10;
  const buckets = (fast: number, slow: number) =>
    (
      [
        [String(ms / 1000), fast],
        [String((2 * ms) / 1000), fast + slow],
        ['+Inf', fast + slow],
      ] as const
    ).map(([le, perMinute]) => series(`${histogram}_bucket`, { ...VLLM, le }, counter(1000, [minutes - 1, perMinute])));
  return [
    // The alert compares seconds (its value reads "3.9s", "195ms").
    fire(`p95 ${1.95 * ms} ms for ${forMinutes + 4} min: fires`, forMinutes + 5, buckets(0, 600), { labels: LLM_MODEL, value: (1.95 * ms) / 1000 }),
    quiet(`p95 ${0.95 * ms} ms (under ${ms} ms): silent`, forMinutes + 5, buckets(600, 0)),
    quiet(`p95 ${1.95 * ms} ms for ${forMinutes - 1} min: not yet`, forMinutes, buckets(0, 600)),
    quiet('no requests finished (the p95 is undefined): silent', forMinutes + 5, buckets(0, 0)),
  ];
};

const llmKvCacheNearFull: AlertCaseBuilder = ({ t, forMinutes }) => {
  const kv = (percent: number, pod = VLLM.pod) => series('vllm:kv_cache_usage_perc', { ...VLLM, pod }, gauge([forMinutes + 10, percent / 100]));
  const high = (t.llmKvCacheFullPercent + 100) / 2;
  const below = t.llmKvCacheFullPercent - 0.5;
  const labels = { namespace: VLLM.namespace, pod: VLLM.pod, model_name: VLLM.model_name };
  return [
    fire(`${high}% of the KV cache for ${forMinutes + 5} min: fires for that replica`, forMinutes + 5, [kv(high), kv(20, 'llama-8b-kserve-workload-7d9f4-q8w2z')], { labels, value: high }),
    quiet(`${below}% (just under ${t.llmKvCacheFullPercent}%): silent`, forMinutes + 5, [kv(below)]),
    quiet(`${high}% for ${forMinutes - 1} min: not yet`, forMinutes - 1, [kv(high)]),
  ];
};

/** vLLM counts every finished request by reason; "error" is an engine error (answered 500), "abort" the client's. */
function llmRequestSeries(phases: readonly ErrorPhase[], abortFraction = 0): InputSeries[] {
  const reason = (finished_reason: string, share: (f: number) => number) =>
    series('vllm:request_success_total', { ...VLLM, finished_reason }, counter(100000, ...phases.map(([samples, f]) => [samples, share(f) * REQUESTS_PER_SAMPLE] as const)));
  return [reason('stop', (f) => 1 - f - abortFraction), reason('abort', () => abortFraction), reason('error', (f) => f)];
}

const llmBurnRate: AlertCaseBuilder = (ctx) => {
  const cases = burnRateOf((p) => llmRequestSeries(p), LLM_MODEL)(ctx);
  // Clients that hang up are no failures of the service: half the requests aborted, none failing.
  const step = cases[0].stepMinutes ?? 1;
  const longest = Math.max(...burnPairs(ctx.expr).map((p) => durationMinutes(p.long))) / step;
  const samples = longest + Math.ceil((ctx.forMinutes + 10) / step);
  return [...cases, { ...quiet('half the requests aborted by their clients, none failing: silent', (samples - 1) * step, llmRequestSeries([[samples, 0]], 0.5)), stepMinutes: step }];
};

const predictionDrift: AlertCaseBuilder = ({ t, forMinutes }) => {
  const d = t.driftScoreThreshold;
  const n = t.driftMinSamples;
  const minutes = forMinutes + 10;
  const detector = { job: 'drift-detectors', pod: 'detector-drift-0', ...MODEL };
  const drift = (score: number, samples: number) => [
    series('ml_prediction_drift_score', { ...detector, feature: 'image_brightness' }, gauge([minutes, d / 2])),
    series('ml_prediction_drift_score', { ...detector, feature: 'predicted_class' }, gauge([minutes, score])),
    series('ml_prediction_drift_samples', detector, gauge([minutes, samples])),
  ];
  return [
    fire(`score ${2 * d} over ${n} predictions for ${forMinutes + 5} min: fires`, forMinutes + 5, drift(2 * d, n), { labels: MODEL, value: 2 * d }),
    quiet(`score ${d} (the threshold): silent`, forMinutes + 5, drift(d, n)),
    quiet(`score ${2 * d} over ${n - 1} predictions (too few): silent`, forMinutes + 5, drift(2 * d, n - 1)),
    quiet(`score ${2 * d} for ${forMinutes - 1} min: not yet`, forMinutes - 1, drift(2 * d, n)),
  ];
};

// ---- Security (Trivy Operator) ----

const criticalVulnerability: AlertCaseBuilder = ({ forMinutes }) => {
  const image = { namespace: 'vision-serving', resource_kind: 'ReplicaSet', resource_name: 'detector-predictor-00001-deployment-5d9c', container_name: 'kserve-container', image_repository: 'ml/detector', image_tag: '1.4.2' };
  const l = { job: 'trivy-operator', instance: '10.0.2.8:8080', image_registry: 'harbor.staging.example.internal', ...image };
  const vulns = (critical: number) => [series('trivy_image_vulnerabilities', { ...l, severity: 'Critical' }, gauge([forMinutes + 10, critical])), series('trivy_image_vulnerabilities', { ...l, severity: 'High' }, gauge([forMinutes + 10, 5]))];
  return [
    fire(`2 Critical CVEs for ${forMinutes + 5} min: fires`, forMinutes + 5, vulns(2), { labels: image, value: 2 }),
    quiet('no Critical, 5 High: silent', forMinutes + 5, vulns(0)),
    quiet(`2 Critical for ${forMinutes - 1} min: not yet`, forMinutes - 1, vulns(2)),
  ];
};

// ---- Notebooks (cAdvisor, kube-state-metrics, DCGM) ----

const notebookIdle: AlertCaseBuilder = ({ t, forMinutes }) => {
  // Day-long windows: sample every 4 minutes (Prometheus' 5m lookback still sees every sample).
  const step = 4;
  const samples = (minutes: number) => Math.ceil(minutes / step);
  const window = samples(t.notebookIdleHours * 60);
  const nb = { namespace: 'vision-data-prep', pod: 'alice-notebook-0' };
  const busy = samples(120);
  const hold = samples(forMinutes);
  const total = busy + window + hold + samples(20);
  // 2 cores for 2 h, then 0.005 cores: the window's rate drops under 0.01 cores a few minutes before the busy part leaves it.
  const cpu = series('container_cpu_usage_seconds_total', { job: 'kubelet', metrics_path: '/metrics/cadvisor', node: 'cpu-node-2', ...nb, container: 'alice-notebook' }, counter(5000, [busy, 2 * 60 * step], [total - busy - 1, 0.005 * 60 * step]));
  const label = series('kube_pod_labels', { ...KSM, ...nb, label_notebook_name: 'alice-notebook' }, gauge([total, 1]));
  const gpuBusy = series('DCGM_FI_DEV_GPU_UTIL', gpuLabels('5', { ...nb, container: 'alice-notebook' }), gauge([total, 30]));
  const at = (s: number) => s * step;
  // kube-state-metrics' creation timestamp: the pod was created when the history starts.
  const created = series('kube_pod_created', { ...KSM, ...nb, uid: 'b7e1c0de' }, gauge([total, 0]));
  const fresh = samples(180);
  const freshCpu = series('container_cpu_usage_seconds_total', { job: 'kubelet', metrics_path: '/metrics/cadvisor', node: 'cpu-node-2', ...nb, container: 'alice-notebook' }, counter(5, [fresh, 0.005 * 60 * step]));
  return [
    { ...fire(`idle for ${t.notebookIdleHours} h + ${at(hold + 2)} min: fires`, at(busy + window + hold + 2), [cpu, label, created], { labels: nb, value: 0.005 }), stepMinutes: step },
    { ...quiet(`idle for ${t.notebookIdleHours} h + ${at(Math.floor(hold / 2))} min: not yet`, at(busy + window + Math.floor(hold / 2)), [cpu, label, created]), stepMinutes: step },
    { ...quiet('idle CPU but its GPU at 30%: silent', at(busy + window + hold + 2), [cpu, label, created, gpuBusy]), stepMinutes: step },
    { ...quiet(`a notebook started ${at(fresh - 1)} min ago, idle since (younger than ${t.notebookIdleHours} h): silent`, at(fresh - 1), [freshCpu, label, created]), stepMinutes: step },
  ];
};

// ---- Scrape targets ----

const scrapeTargetDown: AlertCaseBuilder = ({ forMinutes }) => {
  const target = { job: 'kueue-controller-manager-metrics-service', instance: '10.0.1.4:8443', endpoint: 'https', namespace: 'kueue-system', service: 'kueue-controller-manager-metrics-service', pod: 'kueue-controller-manager-6f7d9-abcde', ml_platform_target: 'kueue' };
  const up = (v: number, l: Record<string, string> = target) => series('up', l, gauge([forMinutes + 10, v]));
  const other = Object.fromEntries(Object.entries(target).filter(([k]) => k !== 'ml_platform_target'));
  return [
    fire(`down for ${forMinutes + 2} min: fires`, forMinutes + 2, [up(0)], { labels: target, value: 0 }),
    quiet(`down for ${forMinutes - 1} min: not yet`, forMinutes - 1, [up(0)]),
    quiet('up: silent', forMinutes + 2, [up(1)]),
    quiet('a target that is not the platform\u2019s: silent', forMinutes + 2, [up(0, { ...other, job: 'someone-elses-app' })]),
  ];
};

/** Every platform alert's cases. An alert without an entry fails the suite. */
export const ALERT_CASES: Readonly<Record<string, AlertCaseBuilder>> = {
  GpuAllocatedButIdle: gpuAllocatedButIdle,
  GpuMemoryNearFull: gpuMemoryNearFull,
  GpuXidError: gpuXidError,
  GpuTemperatureHigh: gpuTemperatureHigh,
  KueueWorkloadsPendingTooLong: kueueWorkloadsPendingTooLong,
  KueueClusterQueueNearQuota: kueueClusterQueueNearQuota,
  NamespaceQuotaNearFull: namespaceQuotaNearFull,
  TrainingPodOomKilled: trainingPodOomKilled,
  TrainingPodCrashLooping: trainingPodCrashLooping,
  ModelLatencyP95High: modelLatencyP95High,
  ModelErrorBudgetFastBurn: burnRate,
  ModelErrorBudgetSlowBurn: burnRate,
  PredictionDrift: predictionDrift,
  LlmTimeToFirstTokenP95High: llmP95('vllm:time_to_first_token_seconds', (t) => t.llmTtftP95Ms),
  LlmInterTokenLatencyP95High: llmP95('vllm:inter_token_latency_seconds', (t) => t.llmItlP95Ms),
  LlmQueueTimeP95High: llmP95('vllm:request_queue_time_seconds', (t) => t.llmQueueTimeP95Ms),
  LlmKvCacheNearFull: llmKvCacheNearFull,
  LlmErrorBudgetFastBurn: llmBurnRate,
  LlmErrorBudgetSlowBurn: llmBurnRate,
  CriticalVulnerabilityInRunningImage: criticalVulnerability,
  NotebookIdle: notebookIdle,
  PlatformScrapeTargetDown: scrapeTargetDown,
};
