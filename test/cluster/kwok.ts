/**
 * Fake nodes for scheduling tests, with kwok (sigs.k8s.io/kwok).
 *
 * kwok plays the kubelet for Node objects that carry the annotation
 * `kwok.x-k8s.io/node=fake`: it marks them Ready, keeps their lease fresh, and moves
 * pods bound to them to Running, so the real kube-scheduler's decisions can be
 * observed end to end without containers. Without `--enable-crds=Stage` and with no
 * Stage objects in its config, kwok v0.7 uses its built-in default stages
 * (node-initialize + heartbeat, pod-ready/complete/delete), which is all we need.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ControlPlane } from './control-plane';
import { ManagedProcess, stopProcess, tail } from './process';

export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

export interface Kwok {
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export interface KwokOptions {
  /** Pod IPs handed out by kwok; must not overlap the service range. */
  readonly podCidr?: string;
}

/** Start the kwok controller against `cp`; it is also stopped by cp.stop(). */
export async function startKwok(cp: ControlPlane, opts: KwokOptions = {}): Promise<Kwok> {
  // An explicit (empty) config, so a ~/.kwok/kwok.yaml on a developer machine
  // cannot change what the tests see.
  const config = path.join(cp.dir, 'kwok.yaml');
  fs.writeFileSync(config, 'apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions: {}\n');
  const proc = cp.addComponent('kwok', cp.binaries.kwok, [
    `--config=${config}`,
    `--kubeconfig=${cp.kubeconfigPath}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
    // kwok keeps a Lease per node, like a kubelet, so the node-lifecycle
    // controller never marks the fake nodes NotReady.
    '--node-lease-duration-seconds=40',
    `--cidr=${opts.podCidr ?? '10.244.0.1/16'}`,
    '--node-ip=127.0.0.1',
  ]);
  // kwok has no readiness endpoint without --server-address; a crash shows up fast.
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (!proc.isRunning()) {
    throw new Error(`kwok exited at startup:\n${tail(proc.logPath)}`);
  }
  return { process: proc, stop: () => stopProcess(proc) };
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface FakeNodeSpec {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly taints?: readonly Taint[];
  /** Capacity (= allocatable), e.g. { 'nvidia.com/gpu': '8' }; cpu/memory/pods default to a large node. */
  readonly capacity?: Record<string, string>;
  /** Wait until the node is Ready (kwok running); default true. */
  readonly waitReady?: boolean;
}

/** A Node object managed by kwok (without kwok running it stays NotReady). */
export function fakeNodeManifest(spec: FakeNodeSpec): Record<string, unknown> {
  const capacity = { cpu: '32', memory: '256Gi', pods: '110', ...(spec.capacity ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
        ...(spec.labels ?? {}),
      },
    },
    spec: { taints: (spec.taints ?? []).map((t) => ({ ...t })) },
    // Status is accepted on create, as when a kubelet registers its node.
    status: { capacity, allocatable: capacity },
  };
}

/** Create a kwok-managed Node and (by default) wait until it is Ready. */
export async function createFakeNode(cp: ControlPlane, spec: FakeNodeSpec): Promise<void> {
  const res = await cp.kubectl(['create', '-f', '-'], JSON.stringify(fakeNodeManifest(spec)));
  if (res.code !== 0) {
    throw new Error(`creating node ${spec.name} failed: ${res.stderr}`);
  }
  if (spec.waitReady ?? true) {
    await waitForNodeReady(cp, spec.name);
  }
}

export async function waitForNodeReady(cp: ControlPlane, name: string, timeoutMs = 60000): Promise<void> {
  const res = await cp.kubectl(['wait', '--for=condition=Ready', `node/${name}`, `--timeout=${Math.round(timeoutMs / 1000)}s`]);
  if (res.code !== 0) {
    throw new Error(`node ${name} did not become Ready: ${res.stderr}`);
  }
}

/**
 * kwok-free fallback: a plain Node marked Ready through the status subresource.
 * The scheduler places pods on it (spec.nodeName, PodScheduled), but nothing runs
 * them and, with no heartbeat, the node-lifecycle controller marks it unreachable
 * after its grace period (40 s by default): use it for short scheduling checks only.
 */
export async function createStaticReadyNode(cp: ControlPlane, spec: FakeNodeSpec): Promise<void> {
  const manifest = fakeNodeManifest(spec);
  delete (manifest.metadata as { annotations?: unknown }).annotations;
  const res = await cp.kubectl(['create', '-f', '-'], JSON.stringify(manifest));
  if (res.code !== 0) {
    throw new Error(`creating node ${spec.name} failed: ${res.stderr}`);
  }
  const now = new Date().toISOString();
  const patch = {
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'static test node', lastHeartbeatTime: now, lastTransitionTime: now }],
    },
  };
  const st = await cp.kubectl(['patch', 'node', spec.name, '--subresource=status', '--type=merge', '-p', JSON.stringify(patch)]);
  if (st.code !== 0) {
    throw new Error(`marking node ${spec.name} Ready failed: ${st.stderr}`);
  }
}
