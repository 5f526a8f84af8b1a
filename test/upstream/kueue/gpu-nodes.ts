/**
 * Fake GPU nodes as the GPU Operator and Node Feature Discovery present them, sized from the spec,
 * and a kwok whose pods keep running (reusable by the DRA and LLM-serving scenarios).
 *
 * Per enabled pool, maxNodes nodes carrying the pool's labels (poolNodeLabels + the provider's
 * selector label), the labels NFD and GPU feature discovery add (PCI vendor 10de, gpu.present,
 * product, count, MIG strategy), the `nvidia.com/gpu=present:NoSchedule` taint, and allocatable
 * `nvidia.com/gpu` (whole GPUs, or MIG slices with the single strategy) or `nvidia.com/gpu.shared`
 * (time-slicing, renamed by the device plugin), in the pool's own unit.
 *
 * kwok's built-in pod stages complete a Job's pods as soon as they run; quota and preemption
 * scenarios need them to hold their GPUs, so this kwok runs pods until they are deleted, and
 * completes only pods annotated COMPLETE_ANNOTATION.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { poolSelectorLabels } from '../../../constructs/gpu/gpu-node-pool';
import { expectedProductLabel, GPU_PRODUCT_LABEL, GPU_TAINT, poolNodeLabels, poolResourceName } from '../../../constructs/gpu/gpu-scheduling';
import { ClusterSpec, GpuPoolSpec, poolDevices } from '../../../environments';
import { ControlPlane } from '../../cluster/control-plane';
import { FakeNodeSpec, KWOK_ANNOTATION } from '../../cluster/kwok';
import { ManagedProcess, tail } from '../../cluster/process';

/** A pod with this annotation set to "true" completes (Succeeded) once running. */
export const COMPLETE_ANNOTATION = 'hml.test/complete';

/** A node name the pool's nodeNamePattern accepts (`^dc1-a100-[0-9]+$` -> dc1-a100-0), else <cluster>-<pool>-<i>. */
export function poolNodeName(cluster: ClusterSpec, pool: GpuPoolSpec, index: number): string {
  const pattern = pool.nodeNamePattern;
  if (pattern !== undefined) {
    const name = pattern.replace(/^\^/, '').replace(/\$$/, '').replace('[0-9]+', String(index));
    if (new RegExp(pattern).test(name)) return name;
  }
  return `${cluster.name}-${pool.name}-${index}`;
}

export interface GpuNode extends FakeNodeSpec {
  readonly pool: string;
  readonly resource: string;
  readonly devices: number;
}

/** Every GPU node of a cluster's enabled pools at their maximum size. */
export function gpuNodesOf(cluster: ClusterSpec): GpuNode[] {
  return cluster.gpuPools
    .filter((p) => p.enabled)
    .flatMap((pool) => {
      const devices = poolDevices({ ...pool, maxNodes: 1 });
      const resource = poolResourceName(pool);
      return Array.from({ length: pool.maxNodes }, (_, i): GpuNode => ({
        name: poolNodeName(cluster, pool, i),
        pool: pool.name,
        resource,
        devices,
        labels: {
          ...poolNodeLabels(pool),
          ...poolSelectorLabels(cluster.provider, pool),
          'feature.node.kubernetes.io/pci-10de.present': 'true',
          'nvidia.com/gpu.present': 'true',
          [GPU_PRODUCT_LABEL]: expectedProductLabel(pool),
          'nvidia.com/gpu.count': String(pool.gpusPerNode),
          ...(pool.sharing === 'mig' ? { 'nvidia.com/mig.strategy': 'single' } : {}),
          ...(pool.sharing === 'time-slicing' ? { 'nvidia.com/gpu.replicas': String(pool.timeSlicingReplicas ?? 1) } : {}),
        },
        taints: [{ ...GPU_TAINT }],
        // DRA nodes run no device plugin: their GPUs are published as ResourceSlices (kueue-dra.test.ts).
        capacity: pool.gpuAllocation === 'dra' ? {} : { [resource]: String(devices) },
      }));
    });
}

/** A node without GPUs, where CPU-only work goes. */
export const cpuNode = (name = 'cpu-0'): FakeNodeSpec => ({ name, labels: { 'node.kubernetes.io/instance-type': 'cpu-only' } });

/** Pod stages: Running once bound (until deleted), Succeeded only with COMPLETE_ANNOTATION, gone on delete. */
const POD_STAGES = `
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: hml-pod-running
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: DoesNotExist }
      - { key: .status.podIP, operator: DoesNotExist }
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - { type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }} }
      - { type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }} }
      - { type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }} }
      containerStatuses:
      {{ range .spec.containers }}
      - { image: {{ .image | Quote }}, name: {{ .name | Quote }}, ready: true, started: true, restartCount: 0, state: { running: { startedAt: {{ $now | Quote }} } } }
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      phase: Running
      startTime: {{ $now | Quote }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: hml-pod-complete
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: DoesNotExist }
      - { key: .status.phase, operator: In, values: [Running] }
      - { key: '.metadata.annotations["${COMPLETE_ANNOTATION}"]', operator: In, values: ["true"] }
  next:
    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range .spec.containers }}
      - { image: {{ .image | Quote }}, name: {{ .name | Quote }}, ready: false, started: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } } }
      {{ end }}
      phase: Succeeded
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: hml-pod-delete
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: Exists }
  next:
    finalizers: { empty: true }
    delete: true
`;

/** kwok (as test/cluster/kwok.ts starts it) with POD_STAGES; node stages stay kwok's defaults. */
export async function startKwokHoldingPods(cp: ControlPlane, name = 'kwok'): Promise<ManagedProcess> {
  const config = path.join(cp.dir, `${name}.yaml`);
  fs.writeFileSync(config, `apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions: {}\n${POD_STAGES}`);
  const proc = cp.addComponent(name, cp.binaries.kwok, [
    `--config=${config}`,
    `--kubeconfig=${cp.kubeconfigPath}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
    '--node-lease-duration-seconds=40',
    '--cidr=10.244.0.1/16',
    '--node-ip=127.0.0.1',
  ]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  if (!proc.isRunning()) throw new Error(`kwok exited at startup:\n${tail(proc.logPath)}`);
  return proc;
}
