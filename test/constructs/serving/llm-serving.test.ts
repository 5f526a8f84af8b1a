import { Chart, Testing } from 'cdk8s';
import { testChart } from '../../support/test-chart';
import { LLM_SERVING } from '../../../constructs/catalog';
import { InferenceGateway } from '../../../constructs/serving/inference-gateway';
import { LlmInferenceService } from '../../../constructs/serving/llm-inference-service';
import { LlmRuntimePreset } from '../../../constructs/serving/llm-runtime-preset';
import { planLlmServices, SERVING_PRIORITY, VLLM_PRESET } from '../../../constructs/serving/llm-serving-plan';
import { stageNetworkFlows } from '../../../constructs/tenancy/network-flows';
import { loadEnvironment } from '../../../environments';
import { ENDPOINT_PICKER_REQUESTS } from '../../../environments/serving-schema';
import { dig } from '../../support/dig';
import { rendered } from '../../support/synth';

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: unknown };

const chartOf = (): Chart => testChart();

describe('planLlmServices', () => {
  const prod = loadEnvironment('prod');
  const primary = prod.clusters.find((c) => c.role === 'primary')!;

  it('plans every team service on the primary, queued at production-serving priority', () => {
    const plans = planLlmServices(prod, primary);
    expect(plans.map((p) => `${p.namespace}/${p.name}`)).toEqual(['search-serving/assistant-70b', 'ads-serving/ads-copy-8b', 'risk-serving/risk-summarizer']);
    for (const p of plans) expect(p.kueueLabels).toEqual({ 'kueue.x-k8s.io/queue-name': 'gpu', 'kueue.x-k8s.io/priority-class': SERVING_PRIORITY });
    const shared = plans.find((p) => p.name === 'risk-summarizer')!;
    expect(shared.gpuResource).toBe('nvidia.com/gpu.shared');
    expect(shared.nodeSelector).toEqual({ 'ml.platform/pool': 'l4-shared' });
  });

  it('plans nothing on a burst cluster or with llmServing off', () => {
    expect(planLlmServices(prod, prod.clusters.find((c) => c.role === 'burst')!)).toEqual([]);
    expect(planLlmServices({ ...prod, components: { ...prod.components, llmServing: false } }, primary)).toEqual([]);
  });
});

describe('LlmInferenceService', () => {
  const prod = loadEnvironment('prod');
  const [multi, single] = planLlmServices(prod, prod.clusters[0]);
  const synth = (plan: typeof multi): Obj => {
    const chart = chartOf();
    new LlmInferenceService(chart, 'svc', { plan, gateway: { name: 'inference', namespace: 'platform-gateway' } });
    return Testing.synth(chart)[0] as Obj;
  };

  it('single-node: the preset as base, GPUs from the pool with requests = limits, route on the shared gateway', () => {
    const o = synth(single);
    expect(o.kind).toBe('LLMInferenceService');
    expect(o.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'gpu', 'kueue.x-k8s.io/priority-class': 'production-serving', 'ml.platform/team': 'ads', 'ml.platform/stage': 'serving' });
    expect(dig(o.spec, 'baseRefs')).toEqual([{ name: VLLM_PRESET }]);
    expect(dig(o.spec, 'replicas')).toBe(2);
    expect(dig(o.spec, 'worker')).toBeUndefined();
    expect(dig(o.spec, 'template.containers.0.image')).toBe(LLM_SERVING.images.vllm);
    expect(dig(o.spec, 'template.containers.0.resources.requests')).toEqual({ cpu: String(single.cpu), memory: `${single.memoryGiB}Gi`, 'nvidia.com/gpu': '1' });
    expect(dig(o.spec, 'template.containers.0.resources.limits')).toEqual(dig(o.spec, 'template.containers.0.resources.requests'));
    expect(dig(o.spec, 'template.tolerations')).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(dig(o.spec, 'router.gateway.refs')).toEqual([{ name: 'inference', namespace: 'platform-gateway' }]);
  });

  it('multi-node: a worker template and tensor x pipeline parallelism', () => {
    const o = synth(multi);
    expect(dig(o.spec, 'parallelism')).toEqual({ tensor: 4, pipeline: 2 });
    expect(dig(o.spec, 'worker.containers.0.resources.requests')).toEqual({ cpu: String(multi.cpu), memory: `${multi.memoryGiB}Gi`, 'nvidia.com/gpu': '4' });
    expect(dig(o.spec, 'worker.nodeSelector')).toEqual({ 'ml.platform/pool': 'h100' });
  });
});

describe('LlmRuntimePreset and InferenceGateway', () => {
  it('the preset pins every image the services run and labels the endpoint picker', () => {
    const chart = chartOf();
    new LlmRuntimePreset(chart, 'p', { namespace: 'nlp-serving', team: 'nlp', costCenter: 'cc' });
    const o = Testing.synth(chart)[0] as Obj;
    expect(o.kind).toBe('LLMInferenceServiceConfig');
    expect(o.metadata.name).toBe(VLLM_PRESET);
    expect(dig(o.spec, 'template.containers.0.image')).toBe(LLM_SERVING.images.vllm);
    expect((dig(o.spec, 'router.scheduler.template.containers') as { image: string }[]).map((c) => c.image)).toEqual([LLM_SERVING.images.endpointPicker, LLM_SERVING.images.tokenizer]);
    expect(dig(o.spec, 'router.scheduler.labels')).toEqual({ 'ml.platform/llm-role': 'endpoint-picker' });
  });

  it('the endpoint picker requests exactly what the spec check counts against quotas.serving (ENDPOINT_PICKER_REQUESTS)', () => {
    const chart = chartOf();
    new LlmRuntimePreset(chart, 'p', { namespace: 'nlp-serving', team: 'nlp', costCenter: 'cc' });
    const containers = dig(Testing.synth(chart)[0], 'spec.router.scheduler.template.containers') as { resources: { requests: { cpu: string; memory: string } } }[];
    const milli = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
    const mebi = (q: string): number => (q.endsWith('Gi') ? Number(q.slice(0, -2)) * 1024 : Number(q.replace(/Mi$/, '')));
    expect({
      cpuMilli: containers.reduce((n, c) => n + milli(c.resources.requests.cpu), 0),
      memoryMiB: containers.reduce((n, c) => n + mebi(c.resources.requests.memory), 0),
    }).toEqual(ENDPOINT_PICKER_REQUESTS);
  });

  it('the gateway takes routes from serving namespaces only', () => {
    const chart = chartOf();
    new InferenceGateway(chart, 'g', { namespace: 'platform-gateway' });
    const o = Testing.synth(chart)[0] as Obj;
    expect(dig(o.spec, 'gatewayClassName')).toBe('istio');
    expect(dig(o.spec, 'listeners.0.allowedRoutes.namespaces')).toEqual({ from: 'Selector', selector: { matchLabels: { 'ml.platform/stage': 'serving' } } });
  });
});

describe('serving namespace flows with LLM services', () => {
  const base = { team: 'nlp', stage: 'serving' as const, stages: ['training', 'serving'] as const, objectStoreCidrs: ['10.40.0.0/16'], metricsPorts: [8080, 9090, 9091] };

  it('opens gateway -> endpoint picker and model servers, model servers -> object store, the picker -> API server, scraping of vLLM', () => {
    const flows = stageNetworkFlows({ ...base, llmServing: true });
    const byName = new Map(flows.map((f) => [f.name, f]));
    expect(byName.get('allow-gateway-ingress')!.ports.map((p) => p.port)).toEqual([8080, 8000, 9002]);
    expect(byName.get('allow-object-store')!.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(byName.get('allow-endpoint-picker-apiserver')!.pods).toEqual({ 'ml.platform/llm-role': 'endpoint-picker' });
    expect(byName.get('allow-metrics-scrape')!.ports.map((p) => p.port)).toEqual([8080, 9090, 9091, 8000]);
  });

  it('leaves a serving namespace without LLM services as it was', () => {
    const names = stageNetworkFlows(base).map((f) => f.name);
    expect(names).not.toContain('allow-object-store');
    expect(names).not.toContain('allow-endpoint-picker-apiserver');
  });
});

describe('the synthesized environments', () => {
  it.each(['dev', 'staging', 'prod'])('%s: one Gateway, the Gateway API CRDs and a preset in each LLM namespace on the primary only', (env) => {
    const clusters = rendered(env);
    for (const c of clusters) {
      const objects = c.files.flatMap((f) => f.objects);
      const kinds = (k: string) => objects.filter((o) => o.kind === k);
      if (c.cluster.role !== 'primary') {
        expect(kinds('Gateway')).toEqual([]);
        expect(kinds('LLMInferenceService')).toEqual([]);
        continue;
      }
      expect(kinds('Gateway').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['platform-gateway/inference']);
      expect(kinds('Kustomization').map((o) => o.metadata.name)).toContain('gateway-api');
      const services = kinds('LLMInferenceService');
      expect(services.length).toBeGreaterThan(0);
      const presets = new Set(kinds('LLMInferenceServiceConfig').map((o) => o.metadata.namespace));
      for (const s of services) expect(presets.has(s.metadata.namespace)).toBe(true);
      // Custom resources wait for their CRDs.
      const file = c.files.find((f) => f.objects.some((o) => o.kind === 'Gateway'))!;
      expect(file.name).toBe('30-custom-resources.yaml');
    }
  });

  it('turns on the Inference Extension in the Kubeflow Istio install', () => {
    const objects = rendered('dev')[0].files.flatMap((f) => f.objects);
    const istio = objects.filter((o) => o.kind === 'Kustomization' && String((o.spec as { path: string }).path).includes('istio-install'));
    expect(JSON.stringify(istio)).toContain('ENABLE_GATEWAY_API_INFERENCE_EXTENSION');
  });
});


describe('LLM pods run only trusted images', () => {
  it.each(['dev', 'staging', 'prod'])('%s: every LLM image is under the cluster registry', (env) => {
    const spec = loadEnvironment(env);
    const primary = rendered(env).find((c) => c.cluster.role === 'primary')!;
    const llm = primary.files.flatMap((f) => f.objects).filter((o) => o.kind === 'LLMInferenceService' || o.kind === 'LLMInferenceServiceConfig');
    const images = JSON.stringify(llm).match(/"image":"[^"]+"/g) ?? [];
    expect(images.length).toBeGreaterThan(0);
    for (const i of images) expect(i.slice(9, -1).startsWith(`${primary.cluster.registry.endpoint}/`)).toBe(true);
    expect(spec.components.llmServing).toBe(true);
  });
});
