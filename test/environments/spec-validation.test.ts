import { dev } from '../../environments/dev';
import { prod } from '../../environments/prod';
import { staging } from '../../environments/staging';
import { ENVIRONMENTS, loadEnvironment, parseSpec, PlatformSpecInput, SpecError } from '../../environments';

/** `[path, value]`: set a value at a dotted path (numbers index arrays); `undefined` deletes it. */
type Edit = readonly [string, unknown];
type Container = Record<string, unknown> | unknown[];

/** A deep copy of a shipped spec with edits applied: specs are broken on purpose, so no types here. */
function mutate(base: PlatformSpecInput, ...edits: Edit[]): unknown {
  const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  for (const [path, value] of edits) {
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce<Container>((node, k) => (node as Record<string, Container>)[k], copy);
    const last = keys[keys.length - 1];
    if (value === undefined) delete (parent as Record<string, unknown>)[last];
    else (parent as Record<string, unknown>)[last] = value;
  }
  return copy;
}

function errorOf(input: unknown): SpecError {
  try {
    parseSpec(input);
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  throw new Error('spec was accepted');
}

describe('shipped environments', () => {
  it.each(Object.keys(ENVIRONMENTS))('%s is valid', (name) => {
    expect(() => loadEnvironment(name)).not.toThrow();
  });
  it('fills defaults: every component on, all four stages', () => {
    const spec = loadEnvironment('dev');
    expect(Object.values(spec.components).every(Boolean)).toBe(true);
    expect(spec.stages).toEqual(['data-prep', 'training', 'serving', 'monitoring']);
  });
  it('unknown environment names the known ones', () => {
    expect(() => loadEnvironment('qa')).toThrow(/unknown environment "qa": known environments are dev, staging, prod/);
  });
});

/**
 * Malformed specs: each message must name the environment, the field path, and what was wrong.
 * [description, base spec, edits, expected message pattern]
 */
const CASES: [string, PlatformSpecInput, Edit[], RegExp][] = [
  ['maxNodes below minNodes', prod, [['clusters.1.gpuPools.0.minNodes', 4], ['clusters.1.gpuPools.0.maxNodes', 2]], /prod: clusters\[1\]\.gpuPools\[0\]\.maxNodes must be >= minNodes \(got 2 < 4\)/],
  ['unknown provider', dev, [['clusters.0.provider', 'openstack']], /dev: clusters\[0\]\.provider must be one of onprem, aws, azure, gcp, local \(got "openstack"\)/],
  ['unknown role', dev, [['clusters.0.role', 'secondary']], /dev: clusters\[0\]\.role must be one of primary, burst \(got "secondary"\)/],
  ['unknown GPU model', dev, [['clusters.0.gpuPools.0.gpuModel', 'RTX4090']], /dev: clusters\[0\]\.gpuPools\[0\]\.gpuModel must be one of T4, .*H100.* \(got "RTX4090"\)/],
  ['cluster name not DNS-1123', dev, [['clusters.0.name', 'Local_Cluster']], /dev: clusters\[0\]\.name must be a DNS-1123 label .*\(got "Local_Cluster"\)/],
  ['team name not DNS-1123', dev, [['teams.0.name', 'Research']], /dev: teams\[0\]\.name must be a DNS-1123 label/],
  ['pool name not DNS-1123', dev, [['clusters.0.gpuPools.0.name', '-t4']], /dev: clusters\[0\]\.gpuPools\[0\]\.name must be a DNS-1123 label/],
  ['duplicate cluster names', staging, [['clusters.1.name', 'onprem-dc1']], /staging: clusters\[1\]\.name cluster name "onprem-dc1" is used more than once/],
  ['duplicate team names', staging, [['teams.1.name', 'vision']], /staging: teams\[1\]\.name team name "vision" is used more than once/],
  ['duplicate pool names', prod, [['clusters.0.gpuPools.1.name', 'h100']], /prod: clusters\[0\]\.gpuPools\[1\]\.name GPU pool name "h100" is used more than once/],
  ['burst without primary', staging, [['clusters.0.role', 'burst']], /staging: clusters\[0\]\.role a burst cluster needs a primary/],
  ['two primaries', staging, [['clusters.1.role', 'primary']], /staging: clusters exactly one cluster may have role "primary" \(found 2: onprem-dc1, aws-use1\)/],
  ['kubernetes version format', dev, [['clusters.0.kubernetesVersion', 'v1.34.1']], /dev: clusters\[0\]\.kubernetesVersion must be a supported Kubernetes minor version .*\(got "v1\.34\.1"\)/],
  ['registry with scheme', dev, [['clusters.0.registry.endpoint', 'https://registry.example.com']], /dev: clusters\[0\]\.registry\.endpoint must be host\[:port\]\[\/path\] without a scheme/],
  ['missing registry', dev, [['clusters.0.registry', undefined]], /dev: clusters\[0\]\.registry is required/],
  ['time-slicing without replicas', dev, [['clusters.0.gpuPools.0.timeSlicingReplicas', undefined]], /dev: clusters\[0\]\.gpuPools\[0\]\.timeSlicingReplicas must be an integer from 2 to 48 when sharing is "time-slicing" \(got nothing\)/],
  ['time-slicing replicas too high', dev, [['clusters.0.gpuPools.0.timeSlicingReplicas', 64]], /timeSlicingReplicas must be an integer from 2 to 48 .*\(got 64\)/],
  ['replicas without time-slicing', prod, [['clusters.0.gpuPools.0.timeSlicingReplicas', 4]], /prod: clusters\[0\]\.gpuPools\[0\]\.timeSlicingReplicas is only allowed when sharing is "time-slicing" \(sharing is "none"\)/],
  ['MIG profile unknown for model', prod, [['clusters.0.gpuPools.1.migProfile', '3g.20gb']], /prod: clusters\[0\]\.gpuPools\[1\]\.migProfile must be a MIG profile of H100, allowed: one of 1g\.10gb.* \(got "3g\.20gb"\)/],
  ['MIG on a card without MIG', dev, [['clusters.0.gpuPools.0.sharing', 'mig'], ['clusters.0.gpuPools.0.migProfile', '1g.5gb'], ['clusters.0.gpuPools.0.timeSlicingReplicas', undefined]], /dev: clusters\[0\]\.gpuPools\[0\]\.migProfile must be a MIG profile of T4, allowed: nothing: T4 has no MIG support/],
  ['spot capacity on-prem', staging, [['clusters.0.gpuPools.0.capacityType', 'spot']], /staging: clusters\[0\]\.gpuPools\[0\]\.capacityType must be "static" on a onprem cluster \(got "spot"\)/],
  ['static capacity in the cloud', staging, [['clusters.1.gpuPools.0.capacityType', 'static']], /staging: clusters\[1\]\.gpuPools\[0\]\.capacityType must be one of on-demand, spot, reserved on a aws cluster \(got "static"\)/],
  ['cluster-api outside on-prem', staging, [['clusters.1.gpuPools.0.managedBy', 'cluster-api']], /staging: clusters\[1\]\.gpuPools\[0\]\.managedBy "cluster-api" is only for onprem clusters/],
  ['enabled pool with zero max', staging, [['clusters.1.gpuPools.0.maxNodes', 0]], /staging: clusters\[1\]\.gpuPools\[0\]\.maxNodes is 0 on an enabled pool; set enabled: false/],
  ['negative minNodes', dev, [['clusters.0.gpuPools.0.minNodes', -1]], /dev: clusters\[0\]\.gpuPools\[0\]\.minNodes must be >= 0 \(got -1\)/],
  ['fractional gpusPerNode', dev, [['clusters.0.gpuPools.0.gpusPerNode', 1.5]], /dev: clusters\[0\]\.gpuPools\[0\]\.gpusPerNode must be an integer \(got 1\.5\)/],
  ['team GPU quota over capacity', staging, [['teams.0.quotas.training.gpu', 100]], /staging: teams\[0\]\.quotas team "vision" asks for 104 gpu but the environment's pools offer at most 48/],
  ['teams together over capacity', staging, [['teams.0.quotas.training.gpu', 30]], /staging: teams the teams' gpu quotas add up to 50 but the environment's pools offer at most 48/],
  ['shared GPU quota without time-sliced pools', staging, [['teams.0.quotas.serving.sharedGpu', 2]], /staging: teams\[0\]\.quotas team "vision" asks for 2 sharedGpu but the environment's pools offer at most 0/],
  ['missing stage quota', dev, [['teams.0.quotas.serving', undefined]], /dev: teams\[0\]\.quotas\.serving is missing: every stage of the environment/],
  ['quota for a stage the environment does not run', dev, [['stages', ['data-prep', 'training']]], /dev: teams\[0\]\.quotas\.serving is for a stage this environment does not run/],
  ['stages out of order', dev, [['stages', ['training', 'data-prep', 'serving', 'monitoring']]], /dev: stages must be unique and in workflow order/],
  ['unknown stage', dev, [['stages', ['data-prep', 'inference']]], /dev: stages\[1\] must be one of data-prep, training, serving, monitoring \(got "inference"\)/],
  ['cluster stage not in environment', dev, [['stages', ['data-prep', 'training']], ['clusters.0.stages', ['serving']], ['teams.0.quotas.serving', undefined], ['teams.0.quotas.monitoring', undefined]], /dev: clusters\[0\]\.stages\[0\] "serving" is not a stage of this environment/],
  ['reserved team name', dev, [['teams.0.name', 'kube']], /dev: teams\[0\]\.name "kube" is reserved/],
  ['team name too long for namespaces', dev, [['teams.0.name', 'a'.repeat(55)]], /dev: teams\[0\]\.name gives namespace "a{55}-data-prep" of 65 characters/],
  ['unknown field (typo)', dev, [['clusters.0.gpuPool', []]], /dev: clusters\[0\] has unknown field\(s\) gpuPool: remove them or check the spelling/],
  ['no ML engineer group', dev, [['teams.0.groups.mlEngineers', []]], /dev: teams\[0\]\.groups\.mlEngineers must have at least 1 item\(s\) \(got 0\)/],
  ['blank group name', dev, [['teams.0.groups.viewers', [' viewers']]], /dev: teams\[0\]\.groups\.viewers\[0\] must not be empty or start\/end with white space/],
  ['no platform admins', dev, [['platformAdmins', []]], /dev: platformAdmins must have at least 1 item\(s\)/],
  ['no clusters', dev, [['clusters', []]], /dev: clusters must have at least 1 item\(s\) \(got 0\)/],
  ['no teams', dev, [['teams', []]], /dev: teams must have at least 1 item\(s\) \(got 0\)/],
  ['bad cost center', dev, [['teams.0.costCenter', 'cc 1001']], /dev: teams\[0\]\.costCenter must be a valid label value .*\(got "cc 1001"\)/],
  ['zero cpu quota', dev, [['teams.0.quotas.training.cpu', 0]], /dev: teams\[0\]\.quotas\.training\.cpu must be >= 1 \(got 0\)/],
  ['quota as string', dev, [['teams.0.quotas.training.memoryGiB', '32Gi']], /dev: teams\[0\]\.quotas\.training\.memoryGiB must be of type number \(got "32Gi"\)/],
  ['bad object store CIDR', staging, [['network.objectStoreCidrs', ['10.40.0.0']]], /staging: network\.objectStoreCidrs\[0\] must be an IPv4 CIDR/],
  ['component toggle not boolean', dev, [['components', { kueue: 'yes' }]], /dev: components\.kueue must be of type boolean \(got "yes"\)/],
  ['unknown component', dev, [['components', { mlflow: true }]], /dev: components has unknown field\(s\) mlflow/],
  ['environment name', dev, [['name', 'Dev']], /Dev: name must be a DNS-1123 label/],
  ['signer with neither key nor identity', staging, [['images.signed.0.publicKeySecret', undefined]], /staging: images\.signed\[0\] needs exactly one of publicKeySecret or keyless for registry "harbor\.staging\.example\.internal\/ml" \(got neither\)/],
  ['trusted registry with a scheme', dev, [['images', { extraTrustedRegistries: ['https://ghcr.io/org'] }]], /dev: images\.extraTrustedRegistries\[0\] must be host\[:port\]\[\/path\] without a scheme or trailing slash/],
  ['keyless issuer not a URL', prod, [['images.signed.0.keyless.issuer', 'github']], /prod: images\.signed\[0\]\.keyless\.issuer must be the OIDC issuer URL/],
  ['chart mirror with a trailing slash', dev, [['images', { chartMirror: 'oci://harbor.example.com/charts/' }]], /dev: images\.chartMirror must be a Helm repository URL \(https:\/\/host\/path\) or an OCI prefix \(oci:\/\/host\/path\) without a trailing slash/],
  ['chart mirror without a scheme', dev, [['images', { chartMirror: 'harbor.example.com/charts' }]], /dev: images\.chartMirror must be a Helm repository URL/],
  ['rescan interval too long', dev, [['images', { rescanIntervalHours: 500 }]], /dev: images\.rescanIntervalHours must be <= 168 \(got 500\)/],
  ['worker-lost timeout of zero', prod, [['burst', { workerLostTimeoutMinutes: 0 }]], /prod: burst\.workerLostTimeoutMinutes must be >= 1 \(got 0\)/],
  ['worker-lost timeout in seconds', prod, [['burst', { workerLostTimeoutMinutes: 0.5 }]], /prod: burst\.workerLostTimeoutMinutes must be an integer \(got 0\.5\)/],
  ['pool quotas over a pool\'s capacity', staging, [['teams.0.poolQuotas.a100', 12]], /staging: teams\[1\]\.poolQuotas\.a100 pool "a100" offers 16 but the teams' quotas add up to 20 \(vision 12, nlp 8\)/],
  ['pool quota for an unknown pool', dev, [['teams.0.poolQuotas.h100', 2]], /dev: teams\[0\]\.poolQuotas\.h100 names GPU pool "h100", which no cluster has \(pools: shared-t4\)/],
  ['queued GPUs above the namespace budget', staging, [['teams.0.quotas.training.gpu', 10]], /staging: teams\[0\]\.poolQuotas team "vision" queues 16 gpu on cluster "onprem-dc1" but its training \+ serving quotas allow 14/],
  ['static on-prem pool without node pattern', staging, [['clusters.0.gpuPools.0.nodeNamePattern', undefined]], /staging: clusters\[0\]\.gpuPools\[0\]\.nodeNamePattern is required for a static on-prem pool/],
  ['invalid node pattern', staging, [['clusters.0.gpuPools.0.nodeNamePattern', '^gpu-[0-9+$']], /staging: clusters\[0\]\.gpuPools\[0\]\.nodeNamePattern is not a valid regular expression \(got "\^gpu-\[0-9\+\$"\)/],
  ['node pattern on a cloud pool', staging, [['clusters.1.gpuPools.0.nodeNamePattern', '^x$']], /staging: clusters\[1\]\.gpuPools\[0\]\.nodeNamePattern is only for static on-prem pools \(this pool is on aws\)/],
  ['cluster-api pool without templates', prod, [['clusters.0.gpuPools.0.clusterApi', undefined]], /prod: clusters\[0\]\.gpuPools\[0\]\.clusterApi is required when managedBy is "cluster-api"/],
  ['GPU shape the cloud does not sell', staging, [['clusters.1.gpuPools.0.gpusPerNode', 2]], /staging: clusters\[1\]\.gpuPools\[0\]\.gpusPerNode aws sells L40S with 1, 4, 8 GPUs per node \(got 2\)/],
  ['GPU model the cloud does not offer', prod, [['clusters.2.gpuPools.0.gpuModel', 'L40S']], /prod: clusters\[2\]\.gpuPools\[0\]\.gpuModel L40S is not offered on azure/],
  ['reserved capacity on azure', prod, [['clusters.2.gpuPools.0.capacityType', 'reserved']], /prod: clusters\[2\]\.gpuPools\[0\]\.capacityType must be one of on-demand, spot on azure \(got "reserved"\)/],
  ['warm cloud nodes under Karpenter', staging, [['clusters.1.gpuPools.0.minNodes', 1]], /staging: clusters\[1\]\.gpuPools\[0\]\.minNodes must be 0 on aws: Karpenter creates GPU nodes when work is queued/],
  ['burst cluster with no GPU pool', staging, [['clusters.1.gpuPools', []], ['teams.0.poolQuotas.l40s-spot', undefined], ['teams.1.poolQuotas.l40s-spot', undefined]], /staging: clusters\[1\]\.gpuPools burst cluster "aws-use1" has no enabled GPU pool, so MultiKueue would dispatch work it can never run/],
  ['pool name reused across clusters', staging, [['clusters.1.gpuPools.0.name', 'a100']], /staging: clusters\[1\]\.gpuPools\[0\]\.name GPU pool name "a100" is used more than once in the environment \(also clusters\[0\]\.gpuPools\[0\]\)/],
  ['quota on a disabled pool', staging, [['clusters.1.gpuPools.0.enabled', false]], /staging: teams\[0\]\.poolQuotas\.l40s-spot gives 8 on pool "l40s-spot", which is disabled/],
  ['DRA below Kubernetes 1.34', prod, [['clusters.0.kubernetesVersion', '1.33']], /prod: clusters\[0\]\.gpuPools\[3\]\.gpuAllocation "dra" needs Kubernetes 1\.34 or later, where resource\.k8s\.io\/v1 is GA \(cluster "onprem-h100" is 1\.33\)/],
  ['DRA with time-slicing', dev, [['clusters.0.gpuPools.0.gpuAllocation', 'dra']], /dev: clusters\[0\]\.gpuPools\[0\]\.gpuAllocation "dra" cannot be combined with sharing "time-slicing"/],
  ['DRA on GKE', staging, [['clusters.1.provider', 'gcp'], ['clusters.1.gpuPools.0.gpuAllocation', 'dra']], /staging: clusters\[1\]\.gpuPools\[0\]\.gpuAllocation "dra" is not offered on gcp: GKE installs its own NVIDIA device plugin/],
  ['DRA without the DRA driver add-on', prod, [['components', { draDriver: false }]], /prod: clusters\[0\]\.gpuPools\[3\]\.gpuAllocation "dra" needs components\.draDriver \(it is off\)/],
  ['unknown GPU allocation mode', dev, [['clusters.0.gpuPools.0.gpuAllocation', 'device-plugin']], /dev: clusters\[0\]\.gpuPools\[0\]\.gpuAllocation must be one of extended-resources, dra \(got "device-plugin"\)/],
  ['observability retention of zero days', dev, [['observability', { retentionDays: 0 }]], /dev: observability\.retentionDays must be >= 1 \(got 0\)/],
  ['availability objective of 100%', dev, [['observability', { alerts: { servingAvailabilityPercent: 100 } }]], /dev: observability\.alerts\.servingAvailabilityPercent must be below 100: a 100% objective leaves no error budget to burn \(got 100\)/],
  ['LLM availability objective of 100%', staging, [['observability', { alerts: { llmAvailabilityPercent: 100 } }]], /staging: observability\.alerts\.llmAvailabilityPercent must be below 100: a 100% objective leaves no error budget to burn \(got 100\)/],
  ['LLM KV-cache threshold above 100%', staging, [['observability', { alerts: { llmKvCacheFullPercent: 150 } }]], /staging: observability\.alerts\.llmKvCacheFullPercent must be <= 100 \(got 150\)/],
  ['LLM time-to-first-token objective in fractions of a millisecond', staging, [['observability', { alerts: { llmTtftP95Ms: 0.5 } }]], /staging: observability\.alerts\.llmTtftP95Ms must be an integer \(got 0\.5\)/],
  ['Prometheus storage class not a DNS name', prod, [['observability', { storageClass: 'Fast SSD' }]], /prod: observability\.storageClass must be a StorageClass name \(DNS-1123 subdomain, e\.g\. "fast-ssd"\) \(got "Fast SSD"\)/],
  ['unknown alert threshold (typo)', dev, [['observability', { alerts: { gpuIdleMinute: 30 } }]], /dev: observability\.alerts has unknown field\(s\) gpuIdleMinute: remove them or check the spelling/],
];

describe('malformed specs are refused with the field named', () => {
  it(`has at least 30 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(30));
  it.each(CASES)('%s', (_name, base, edits, pattern) => {
    const error = errorOf(mutate(base, ...edits));
    expect(error.message).toMatch(pattern);
  });
  it('reports every problem at once, not just the first', () => {
    const error = errorOf(mutate(dev, ['clusters.0.provider', 'x'], ['teams.0.name', 'X']));
    expect(error.issues).toHaveLength(2);
  });
});
