import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Stage, StageQuota } from '../../environments/schema';
import { LABEL, labelAll, PART_OF } from '../labels';
import { FlowPeer, FlowPort, namespaceSelector, NetworkFlow } from './network-flows';
import { workflowNamespaceName } from './platform-namespaces';
import { containerDefaults, quotaHard } from './resource-budget';

const { k8s } = kplus;

export interface WorkflowNamespaceProps {
  /** Owning team (DNS label). */
  readonly team: string;
  /** Workflow stage the namespace runs. */
  readonly stage: Stage;
  /** Cost center, copied to every object for showback. */
  readonly costCenter: string;
  /** The team's budget for this stage. */
  readonly quota: StageQuota;
  /** DRA devices the namespace may claim per DeviceClass (see deviceClassBudget). @default none: no DRA lines */
  readonly deviceClassDevices?: Readonly<Record<string, number>>;
  /** Pod Security Admission policy version, e.g. "v1.34". */
  readonly podSecurityVersion: string;
  /** Flows allowed on top of default-deny (see network-flows.ts). */
  readonly flows: readonly NetworkFlow[];
  /** Existing image pull Secret the stage's service account uses. @default none */
  readonly imagePullSecret?: string;
  /** Extra namespace labels, e.g. opting in to signature verification. @default none */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Namespace annotations, e.g. the owner a Kubeflow Profile adopts it by. @default none */
  readonly namespaceAnnotations?: Readonly<Record<string, string>>;
}

/** Name of the service account every workload of a stage runs as. */
export const STAGE_SERVICE_ACCOUNT = 'workload';

function peerOf(peer: FlowPeer): kplus.k8s.NetworkPolicyPeer {
  switch (peer.kind) {
    case 'same-namespace':
      return { podSelector: {} };
    case 'cidr':
      return { ipBlock: { cidr: peer.cidr } };
    case 'namespace':
      return peer.podLabels === undefined
        ? { namespaceSelector: namespaceSelector(peer.namespace) }
        : { namespaceSelector: namespaceSelector(peer.namespace), podSelector: { matchLabels: { ...peer.podLabels } } };
  }
}

function portsOf(ports: readonly FlowPort[]): kplus.k8s.NetworkPolicyPort[] | undefined {
  return ports.length === 0 ? undefined : ports.map((p) => ({ protocol: p.protocol, port: k8s.IntOrString.fromNumber(p.port) }));
}

/**
 * One team's namespace for one workflow stage: restricted Pod Security, a quota with GPU lines,
 * container defaults, default-deny networking plus the stage's flows, and a token-less service
 * account. Every object carries the team, stage and cost-center labels.
 */
export class WorkflowNamespace extends Construct {
  /** The namespace name, `<team>-<stage>`. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: WorkflowNamespaceProps) {
    super(scope, id);
    this.name = workflowNamespaceName(props.team, props.stage);
    const meta = (name: string, annotations?: Record<string, string>): ApiObjectMetadata => ({ name, namespace: this.name, annotations });

    const psa: Record<string, string> = {};
    for (const mode of ['enforce', 'audit', 'warn']) {
      psa[`pod-security.kubernetes.io/${mode}`] = 'restricted';
      psa[`pod-security.kubernetes.io/${mode}-version`] = props.podSecurityVersion;
    }
    const annotations = props.namespaceAnnotations !== undefined && Object.keys(props.namespaceAnnotations).length > 0 ? { ...props.namespaceAnnotations } : undefined;
    new k8s.KubeNamespace(this, 'namespace', { metadata: { name: this.name, labels: { ...psa, ...props.namespaceLabels }, annotations } });

    new k8s.KubeResourceQuota(this, 'quota', {
      metadata: meta('stage-budget'),
      spec: { hard: Object.fromEntries(Object.entries(quotaHard(props.quota, props.deviceClassDevices ?? {})).map(([k, v]) => [k, k8s.Quantity.fromString(v)])) },
    });

    const defaults = containerDefaults(props.quota);
    const quantities = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
    new k8s.KubeLimitRange(this, 'limits', {
      metadata: meta('container-defaults'),
      spec: {
        limits: [
          { type: 'Container', defaultRequest: quantities(defaults.defaultRequest), default: quantities(defaults.default), max: quantities(defaults.max) },
          { type: 'PersistentVolumeClaim', max: { storage: k8s.Quantity.fromString(`${props.quota.storageGiB}Gi`) } },
        ],
      },
    });

    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: meta('default-deny', { 'ml.platform/why': 'nothing flows in or out unless a policy below allows it' }),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    for (const flow of props.flows) {
      const peers = flow.peers.map(peerOf);
      const ports = portsOf(flow.ports);
      new k8s.KubeNetworkPolicy(this, `flow-${flow.name}`, {
        metadata: meta(flow.name, { 'ml.platform/why': flow.why }),
        spec: {
          podSelector: flow.pods === undefined ? {} : { matchLabels: { ...flow.pods } },
          policyTypes: [flow.direction === 'ingress' ? 'Ingress' : 'Egress'],
          ...(flow.direction === 'ingress' ? { ingress: [{ from: peers, ports }] } : { egress: [{ to: peers, ports }] }),
        },
      });
    }

    // No API token in workload pods: they do not talk to the API server. Pull secrets are
    // referenced by name, never written: the Secret is created out of band.
    new k8s.KubeServiceAccount(this, 'service-account', {
      metadata: meta(STAGE_SERVICE_ACCOUNT),
      automountServiceAccountToken: false,
      ...(props.imagePullSecret === undefined ? {} : { imagePullSecrets: [{ name: props.imagePullSecret }] }),
    });

    labelAll(this, {
      [LABEL.team]: props.team,
      [LABEL.stage]: props.stage,
      [LABEL.costCenter]: props.costCenter,
      [LABEL.partOf]: PART_OF,
    });
  }
}
