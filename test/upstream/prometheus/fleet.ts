import { encodeValues, InputSeries, seriesName, Value } from './series';

/**
 * A small synthetic fleet shaped like one environment's primary cluster (its GPU pools, teams,
 * their namespaces, ClusterQueues and GPU quotas), three hours of it minute by minute, and a
 * reference model of what that fleet is: which pod holds which GPU when, how busy each GPU is. The
 * exporters' series (DCGM, kube-state-metrics, Kueue, Knative, KServe, drift, OpenCost) are
 * written from the model, and the expected values of recording rules and panels are computed from
 * the model directly (GPUs held, GPU-minutes / 60), not from PromQL. Pure.
 */

export interface FleetShape {
  readonly pools: readonly { readonly name: string; readonly gpusPerNode: number; readonly nodes: number; readonly model: string }[];
  /** At least one team; workloads use the first two (or the first twice). */
  readonly teams: readonly {
    readonly name: string;
    readonly clusterQueue: string;
    /** Namespace per stage (training, serving, data-prep, ...). */
    readonly namespaces: Readonly<Record<string, string>>;
    /** requests.nvidia.com/gpu hard quota per namespace. */
    readonly gpuQuota: Readonly<Record<string, number>>;
  }[];
}

/** The instant every expectation is taken at, and the history before it. */
export const FLEET_MINUTES = 180;

export interface Pod {
  readonly namespace: string;
  readonly team: string;
  readonly pod: string;
  readonly container: string;
  readonly gpus: number;
  readonly pool: number;
  readonly node: number;
  /** First GPU index on the node; the pod holds gpus consecutive ones. */
  readonly firstGpu: number;
  /** Pending before this minute, Running from it; undefined: pending all along (never scheduled). */
  readonly runningFrom?: number;
  /** Deleted at this minute (its series end with a staleness marker); undefined: still there. */
  readonly deletedAt?: number;
  /** GPU utilisation while running, percent. */
  readonly util: number;
  /** The served model name, when the pod is an LLMInferenceService model server (vLLM). */
  readonly llmModel?: string;
}

export interface GpuSlot {
  readonly pool: number;
  readonly node: number;
  readonly gpu: number;
}

export interface FleetSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** One value per minute, 0..FLEET_MINUTES. */
  readonly values: readonly Value[];
}

const MINUTES = [...Array(FLEET_MINUTES + 1).keys()];

export class Fleet {
  readonly pods: readonly Pod[];
  readonly slots: readonly GpuSlot[];

  constructor(readonly shape: FleetShape) {
    if (shape.pools.length === 0 || shape.teams.length === 0) throw new Error('the fleet needs a GPU pool and a team');
    const p0 = 0;
    const p1 = shape.pools.length > 1 ? 1 : 0;
    const [a, b] = [shape.teams[0], shape.teams[shape.teams.length > 1 ? 1 : 0]];
    const ns = (team: FleetShape['teams'][number], stage: string) => {
      const n = team.namespaces[stage];
      if (n === undefined) throw new Error(`team ${team.name} has no ${stage} namespace`);
      return n;
    };
    const p0nodes = shape.pools[p0].nodes;
    this.pods = [
      // Busy training on pool 0 all along.
      { namespace: ns(a, 'training'), team: a.name, pod: `${a.name}-resnet-worker-0`, container: 'pytorch', gpus: 4, pool: p0, node: 0, firstGpu: 0, runningFrom: 0, util: 75 },
      // Queued for 150 minutes, then admitted and running at half utilisation.
      { namespace: ns(b, 'training'), team: b.name, pod: `${b.name}-llm-worker-0`, container: 'pytorch', gpus: 8, pool: p0, node: p0nodes > 1 ? 1 : 0, firstGpu: p0nodes > 1 ? 0 : 4, runningFrom: 150, util: 50 },
      // A data-prep job that finished (pod deleted) at minute 140.
      { namespace: ns(b, 'data-prep'), team: b.name, pod: `${b.name}-embed-job-0`, container: 'embed', gpus: 2, pool: p1, node: 0, firstGpu: 0, runningFrom: 0, deletedAt: 140, util: 100 },
      // A model server.
      { namespace: ns(a, 'serving'), team: a.name, pod: 'detector-predictor-00001-deployment-0', container: 'kserve-container', gpus: 1, pool: p1, node: 0, firstGpu: shape.pools[p1].gpusPerNode - 1, runningFrom: 0, util: 25 },
      // Never admitted: pending requests hold no GPU.
      { namespace: ns(b, 'training'), team: b.name, pod: `${b.name}-llm-worker-1`, container: 'pytorch', gpus: 2, pool: p0, node: 0, firstGpu: 0, util: 0 },
      // An LLMInferenceService's vLLM model server, next to the KServe predictor in the same serving namespace, from minute 30.
      { namespace: ns(a, 'serving'), team: a.name, pod: 'chat-8b-kserve-workload-7d9f4-x2k8p', container: 'main', gpus: 1, pool: p1, node: 0, firstGpu: 2, runningFrom: 30, util: 60, llmModel: 'chat-8b' },
    ];
    this.slots = shape.pools.flatMap((p, pool) => [...Array(p.nodes).keys()].flatMap((node) => [...Array(p.gpusPerNode).keys()].map((gpu) => ({ pool, node, gpu }))));
    for (const s of this.slots) for (const m of MINUTES) if (this.podsOn(s, m).length > 1) throw new Error(`fleet: two pods hold GPU ${s.gpu} of ${this.nodeName(s.pool, s.node)} at minute ${m}`);
  }

  nodeName(pool: number, node: number): string {
    return `${this.shape.pools[pool].name}-node-${node + 1}`;
  }

  exists = (p: Pod, m: number): boolean => p.deletedAt === undefined || m < p.deletedAt;
  running = (p: Pod, m: number): boolean => this.exists(p, m) && p.runningFrom !== undefined && m >= p.runningFrom;
  private podsOn = (s: GpuSlot, m: number): Pod[] => this.pods.filter((p) => this.running(p, m) && p.pool === s.pool && p.node === s.node && s.gpu >= p.firstGpu && s.gpu < p.firstGpu + p.gpus);
  holder = (s: GpuSlot, m: number): Pod | undefined => this.podsOn(s, m)[0];
  /** Utilisation of a GPU at a minute, percent. */
  util = (s: GpuSlot, m: number): number => this.holder(s, m)?.util ?? 0;

  // ---- the series the exporters write ----

  series(): FleetSeries[] {
    return [...this.kubeStateMetrics(), ...this.dcgm(), ...this.kueue(), ...this.serving(), ...this.vllm(), ...this.opencost()];
  }

  /** value(m) while alive(m), a staleness marker when it ends, nothing before it starts. */
  private track(name: string, labels: Record<string, string>, alive: (m: number) => boolean, value: (m: number) => number): FleetSeries {
    let seen = false;
    let ended = false;
    const values = MINUTES.map((m): Value => {
      if (alive(m)) {
        seen = true;
        return value(m);
      }
      if (seen && !ended) {
        ended = true;
        return 'stale';
      }
      return null;
    });
    return { name, labels, values };
  }

  private kubeStateMetrics(): FleetSeries[] {
    const ksm = { job: 'kube-state-metrics', instance: '10.0.1.9:8080' };
    const out: FleetSeries[] = [];
    const all = () => true;
    for (const t of this.shape.teams) {
      for (const [stage, namespace] of Object.entries(t.namespaces)) {
        out.push(this.track('kube_namespace_labels', { ...ksm, namespace, label_ml_platform_team: t.name, label_ml_platform_stage: stage }, all, () => 1));
        const hard = t.gpuQuota[namespace] ?? 0;
        if (hard > 0) {
          const q = { ...ksm, namespace, resourcequota: 'stage-budget', resource: 'requests.nvidia.com/gpu' };
          out.push(this.track('kube_resourcequota', { ...q, type: 'hard' }, all, () => hard));
          out.push(this.track('kube_resourcequota', { ...q, type: 'used' }, all, (m) => this.quotaUsed(namespace, m)));
        }
      }
    }
    this.shape.pools.forEach((p, pool) => {
      for (let node = 0; node < p.nodes; node++) {
        const n = this.nodeName(pool, node);
        out.push(this.track('kube_node_labels', { ...ksm, node: n, label_ml_platform_pool: p.name }, all, () => 1));
        out.push(this.track('kube_node_status_allocatable', { ...ksm, node: n, resource: 'nvidia_com_gpu', unit: 'integer' }, all, () => p.gpusPerNode));
      }
    });
    for (const p of this.pods) {
      const l = { ...ksm, namespace: p.namespace, pod: p.pod };
      const alive = (m: number) => this.exists(p, m);
      out.push(this.track('kube_pod_status_phase', { ...l, phase: 'Pending' }, alive, (m) => (this.running(p, m) ? 0 : 1)));
      out.push(this.track('kube_pod_status_phase', { ...l, phase: 'Running' }, alive, (m) => (this.running(p, m) ? 1 : 0)));
      const req = { ...l, container: p.container, resource: 'nvidia_com_gpu', unit: 'integer' };
      // kube-state-metrics labels requests with the pod's node once it is scheduled.
      out.push(this.track('kube_pod_container_resource_requests', req, (m) => alive(m) && !this.running(p, m), () => p.gpus));
      out.push(this.track('kube_pod_container_resource_requests', { ...req, node: this.nodeName(p.pool, p.node) }, (m) => this.running(p, m), () => p.gpus));
      // Allowlisted pod labels: the LLMInferenceService controller's on model servers, none on the others.
      const podLabels: Record<string, string> = p.llmModel === undefined ? {} : { label_app_kubernetes_io_part_of: 'llminferenceservice', label_kserve_io_component: 'workload' };
      out.push(this.track('kube_pod_labels', { ...l, ...podLabels }, alive, () => 1));
    }
    return out;
  }

  /** requests.nvidia.com/gpu used: requests of the namespace's non-terminated pods, pending ones included. */
  quotaUsed = (namespace: string, m: number): number => this.pods.filter((p) => p.namespace === namespace && this.exists(p, m)).reduce((n, p) => n + p.gpus, 0);

  private static readonly FB_TOTAL = 81920;
  /** Framebuffer used by a GPU: 40 GiB while a pod holds it, 1 GiB idle. */
  fbUsed = (s: GpuSlot, m: number): number => (this.holder(s, m) === undefined ? 1024 : 40960);
  fbTotal = (): number => Fleet.FB_TOTAL;
  temp = (s: GpuSlot, m: number): number => 35 + Math.round(this.util(s, m) / 2) + s.gpu;
  power = (s: GpuSlot, m: number): number => 60 + 3 * this.util(s, m);
  /** XID 13 (graphics engine exception, an application fault) on the last GPU of pool 0's first node at minute 100; DCGM keeps reporting it. */
  xid = (s: GpuSlot, m: number): number => (s.pool === 0 && s.node === 0 && s.gpu === this.shape.pools[0].gpusPerNode - 1 && m >= 100 ? 13 : 0);
  readonly xidSlot = (): GpuSlot => ({ pool: 0, node: 0, gpu: this.shape.pools[0].gpusPerNode - 1 });

  private dcgm(): FleetSeries[] {
    const out: FleetSeries[] = [];
    for (const s of this.slots) {
      const node = this.nodeName(s.pool, s.node);
      const base = { job: 'nvidia-dcgm-exporter', instance: `10.0.3.${10 + s.pool * 10 + s.node}:9400`, Hostname: `nvidia-dcgm-exporter-${node}`, gpu: String(s.gpu), UUID: `GPU-${s.pool}${s.node}${s.gpu}`, device: `nvidia${s.gpu}`, modelName: this.shape.pools[s.pool].model, node };
      // One series per holder: DCGM labels a GPU with the pod using it, and with no pod when free.
      const holders = [undefined, ...this.pods.filter((p) => p.pool === s.pool && p.node === s.node && s.gpu >= p.firstGpu && s.gpu < p.firstGpu + p.gpus)];
      for (const h of holders) {
        const labels = h === undefined ? base : { ...base, namespace: h.namespace, pod: h.pod, container: h.container };
        const alive = (m: number) => this.holder(s, m) === h;
        if (!MINUTES.some(alive)) continue;
        out.push(this.track('DCGM_FI_DEV_GPU_UTIL', labels, alive, (m) => this.util(s, m)));
        out.push(this.track('DCGM_FI_DEV_FB_USED', labels, alive, (m) => this.fbUsed(s, m)));
        out.push(this.track('DCGM_FI_DEV_FB_FREE', labels, alive, (m) => Fleet.FB_TOTAL - this.fbUsed(s, m)));
        out.push(this.track('DCGM_FI_DEV_GPU_TEMP', labels, alive, (m) => this.temp(s, m)));
        out.push(this.track('DCGM_FI_DEV_POWER_USAGE', labels, alive, (m) => this.power(s, m)));
        out.push(this.track('DCGM_FI_DEV_XID_ERRORS', labels, alive, (m) => this.xid(s, m)));
      }
    }
    return out;
  }

  /** Kueue: per team ClusterQueue. */
  readonly kueueJob = { job: 'kueue-controller-manager-metrics-service', instance: '10.0.1.4:8443' };
  pendingWorkloads = (team: string, m: number): number => this.pods.filter((p) => p.team === team && p.namespace.endsWith('training') && this.exists(p, m) && !this.running(p, m)).length;
  admittedActive = (team: string, m: number): number => this.pods.filter((p) => p.team === team && p.namespace.endsWith('training') && this.running(p, m)).length;
  /** GPUs in use per ClusterQueue (Kueue counts admitted workloads' requests). */
  cqGpuUsage = (team: string, m: number): number => this.pods.filter((p) => p.team === team && p.namespace.endsWith('training') && this.running(p, m)).reduce((n, p) => n + p.gpus, 0);
  cqGpuNominal = (team: string): number => Object.values(this.shape.teams.find((t) => t.name === team)?.gpuQuota ?? {}).reduce((n, q) => n + q, 0);
  /** Admission wait histogram: per minute 2 workloads within 1 s, 2 more within 10 s, 1 within 60 s. */
  static readonly ADMISSION_WAIT = [
    ['1', 2],
    ['10', 4],
    ['60', 5],
    ['+Inf', 5],
  ] as const;

  private kueue(): FleetSeries[] {
    const out: FleetSeries[] = [];
    const teams = [...new Map(this.shape.teams.map((t) => [t.name, t])).values()];
    for (const t of teams) {
      const cq = { ...this.kueueJob, cluster_queue: t.clusterQueue };
      const all = () => true;
      out.push(this.track('kueue_pending_workloads', { ...cq, status: 'active' }, all, (m) => this.pendingWorkloads(t.name, m)));
      out.push(this.track('kueue_pending_workloads', { ...cq, status: 'inadmissible' }, all, () => 0));
      out.push(this.track('kueue_admitted_active_workloads', cq, all, (m) => this.admittedActive(t.name, m)));
      // One admission per minute keeps every queue moving (KueueWorkloadsPendingTooLong stays silent).
      out.push(this.track('kueue_admitted_workloads_total', cq, all, (m) => 100 + m));
      const flavor = { ...cq, cohort: 'ml-platform', flavor: this.shape.pools[0].name, resource: 'nvidia.com/gpu' };
      out.push(this.track('kueue_cluster_queue_nominal_quota', flavor, all, () => this.cqGpuNominal(t.name)));
      out.push(this.track('kueue_cluster_queue_resource_usage', flavor, all, (m) => this.cqGpuUsage(t.name, m)));
      for (const [le, perMinute] of Fleet.ADMISSION_WAIT) out.push(this.track('kueue_admission_wait_time_seconds_bucket', { ...cq, le }, all, (m) => 50 + perMinute * m));
    }
    return out;
  }

  // ---- serving: a Knative predictor (team 0) and a raw-deployment KServe model server (team 1) ----

  /** Requests per minute through the detector's queue-proxy: 957 2xx and 3 5xx (0.3125%, under the 0.5% budget). */
  static readonly REQUESTS = { ok: 957, errors: 3 } as const;
  /** Knative latency buckets (ms), cumulative requests per minute: p95 = 100 + (912 - 864) / 96 * 150 = 175 ms. */
  static readonly KNATIVE_LATENCY = [
    ['50', 480],
    ['100', 864],
    ['250', 960],
    ['+Inf', 960],
  ] as const;
  /** KServe predict latency buckets (s), cumulative per minute: p95 = 0.1 + (114 - 108) / 12 * 0.4 = 0.3 s. */
  static readonly KSERVE_LATENCY = [
    ['0.05', 60],
    ['0.1', 108],
    ['0.5', 120],
    ['+Inf', 120],
  ] as const;

  serving() {
    const a = this.shape.teams[0];
    const b = this.shape.teams[this.shape.teams.length > 1 ? 1 : 0];
    return this.servingSeries(a.namespaces.serving, b.namespaces.serving);
  }

  readonly models = () => {
    const a = this.shape.teams[0];
    const b = this.shape.teams[this.shape.teams.length > 1 ? 1 : 0];
    return {
      detector: { namespace: a.namespaces.serving, model: 'detector', drift: [0.05, 0.125], samples: 1000 },
      summarizer: { namespace: b.namespaces.serving, model: 'summarizer', drift: [0.5], samples: 200 },
    };
  };

  private servingSeries(detectorNs: string, summarizerNs: string): FleetSeries[] {
    const all = () => true;
    const kn = { job: 'kserve-predictors', namespace: detectorNs, namespace_name: detectorNs, service_name: 'detector-predictor', revision_name: 'detector-predictor-00001', pod: 'detector-predictor-00001-deployment-0' };
    const out: FleetSeries[] = [
      this.track('revision_request_count', { ...kn, response_code_class: '2xx', response_code: '200' }, all, (m) => 95700 + Fleet.REQUESTS.ok * m),
      this.track('revision_request_count', { ...kn, response_code_class: '5xx', response_code: '503' }, all, (m) => 300 + Fleet.REQUESTS.errors * m),
      ...Fleet.KNATIVE_LATENCY.map(([le, n]) => this.track('revision_request_latencies_bucket', { ...kn, response_code_class: '2xx', le }, all, (m) => 10 * n + n * m)),
      ...Fleet.KSERVE_LATENCY.map(([le, n]) => this.track('request_predict_seconds_bucket', { job: 'kserve-predictors', namespace: summarizerNs, pod: 'summarizer-predictor-7c9f-0', model_name: 'summarizer', le }, all, (m) => 10 * n + n * m)),
    ];
    for (const d of Object.values(this.models())) {
      const det = { job: 'drift-detectors', namespace: d.namespace, pod: `${d.model}-drift-0`, model: d.model };
      d.drift.forEach((score, i) => out.push(this.track('ml_prediction_drift_score', { ...det, feature: `feature_${i}` }, all, () => score)));
      out.push(this.track('ml_prediction_drift_samples', det, all, () => d.samples));
    }
    return out;
  }

  // ---- LLM serving: vLLM model servers ----

  /** Finished requests per minute per vLLM finish reason: 1 engine error in 500 (0.2%, under the 0.5% budget); aborts are the clients'. */
  static readonly VLLM_FINISHED = { stop: 471, length: 20, abort: 8, error: 1 } as const;
  static readonly VLLM_RUNNING = 12;
  static readonly VLLM_WAITING = 3;
  static readonly VLLM_KV_CACHE = 0.42;
  /** Cumulative requests per minute per bucket (s): TTFT p95 = 0.5 + (475 - 450) / 50 * 0.5 = 0.75 s. */
  static readonly VLLM_TTFT = [
    ['0.1', 300],
    ['0.5', 450],
    ['1', 500],
    ['+Inf', 500],
  ] as const;
  /** Inter-token latency p95 = 0.025 + (475 - 400) / 100 * 0.025 = 0.04375 s (per token gap, not per request; the shape is what matters). */
  static readonly VLLM_ITL = [
    ['0.01', 200],
    ['0.025', 400],
    ['0.05', 500],
    ['+Inf', 500],
  ] as const;
  /** Queue time p95 = 0.05 + (475 - 400) / 90 * 0.15 = 0.175 s. */
  static readonly VLLM_QUEUE = [
    ['0.05', 400],
    ['0.2', 490],
    ['1', 500],
    ['+Inf', 500],
  ] as const;
  /** End-to-end latency p95 = 5 + (475 - 400) / 100 * 5 = 8.75 s. */
  static readonly VLLM_E2E = [
    ['1', 100],
    ['5', 400],
    ['10', 500],
    ['+Inf', 500],
  ] as const;

  readonly llmPods = (): Pod[] => this.pods.filter((p) => p.llmModel !== undefined);

  private vllm(): FleetSeries[] {
    const out: FleetSeries[] = [];
    for (const p of this.llmPods()) {
      const l = { job: 'monitoring/ml-platform-llm-model-servers', instance: '10.0.5.21:8000', container: p.container, namespace: p.namespace, pod: p.pod, model_name: p.llmModel ?? '', engine: '0' };
      const alive = (m: number) => this.running(p, m);
      const since = (m: number) => m - (p.runningFrom ?? 0);
      out.push(this.track('vllm:num_requests_running', l, alive, () => Fleet.VLLM_RUNNING));
      out.push(this.track('vllm:num_requests_waiting', l, alive, () => Fleet.VLLM_WAITING));
      out.push(this.track('vllm:kv_cache_usage_perc', l, alive, () => Fleet.VLLM_KV_CACHE));
      for (const [reason, n] of Object.entries(Fleet.VLLM_FINISHED)) out.push(this.track('vllm:request_success_total', { ...l, finished_reason: reason }, alive, (m) => n * since(m)));
      const histograms = [
        ['vllm:time_to_first_token_seconds', Fleet.VLLM_TTFT],
        ['vllm:inter_token_latency_seconds', Fleet.VLLM_ITL],
        ['vllm:request_queue_time_seconds', Fleet.VLLM_QUEUE],
        ['vllm:e2e_request_latency_seconds', Fleet.VLLM_E2E],
      ] as const;
      for (const [name, buckets] of histograms) for (const [le, n] of buckets) out.push(this.track(`${name}_bucket`, { ...l, le }, alive, (m) => n * since(m)));
    }
    return out;
  }

  /** OpenCost: GPUs allocated per running container, and the hourly price of one GPU per node. */
  static readonly GPU_HOURLY_COST = [2.5, 1.25];
  gpuHourlyCost = (pool: number): number => Fleet.GPU_HOURLY_COST[pool % Fleet.GPU_HOURLY_COST.length];

  private opencost(): FleetSeries[] {
    const oc = { job: 'opencost', instance: '10.0.4.2:9003' };
    const out: FleetSeries[] = [];
    this.shape.pools.forEach((p, pool) => {
      for (let node = 0; node < p.nodes; node++) out.push(this.track('node_gpu_hourly_cost', { ...oc, node: this.nodeName(pool, node), instance_type: `${p.name}-baremetal` }, () => true, () => this.gpuHourlyCost(pool)));
    });
    for (const p of this.pods) out.push(this.track('container_gpu_allocation', { ...oc, namespace: p.namespace, pod: p.pod, container: p.container, node: this.nodeName(p.pool, p.node) }, (m) => this.running(p, m), () => p.gpus));
    return out;
  }
}

export const inputSeries = (s: FleetSeries): InputSeries => ({ series: seriesName(s.name, s.labels), values: encodeValues(s.values) });
