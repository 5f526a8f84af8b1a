import { createHash } from 'node:crypto';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PLATFORM_IMAGES } from '../catalog';
import { mirrorProject } from './image-mirror';
import { LABEL, PART_OF } from '../labels';

const { k8s } = kplus;

export interface HarborProxyCacheProps {
  /** Namespace Harbor runs in. */
  readonly namespace: string;
  /** Upstream registry hosts to proxy, e.g. quay.io, registry.k8s.io. */
  readonly upstreams: readonly string[];
  /** Existing Secret with the Harbor admin password (key `password`). */
  readonly adminSecret: string;
}

/** Harbor's endpoint type for an upstream; anything else speaks the plain registry v2 API. */
function harborRegistryType(host: string): string {
  switch (host) {
    case 'docker.io':
      return 'docker-hub';
    case 'quay.io':
      return 'quay';
    case 'ghcr.io':
      return 'github-ghcr';
    default:
      return 'docker-registry';
  }
}

const upstreamUrl = (host: string): string => (host === 'docker.io' ? 'https://hub.docker.com' : `https://${host}`);

/** A POSIX shell script that creates (idempotently) one registry endpoint and one proxy-cache project per upstream. */
export function proxyCacheScript(upstreams: readonly string[]): string {
  const lines = [
    'set -eu',
    'api=http://harbor-core/api/v2.0',
    'auth="admin:${HARBOR_PASSWORD}"',
    'id_of() { grep -o \'"id":[0-9]*\' | head -n 1 | cut -d: -f2; }',
  ];
  for (const host of [...upstreams].sort()) {
    const project = mirrorProject(host);
    lines.push(
      `reg=$(curl -fsS -u "$auth" "$api/registries?q=name%3D${project}" | id_of || true)`,
      `[ -n "$reg" ] || curl -fsS -u "$auth" -H 'Content-Type: application/json' -X POST "$api/registries" -d '{"name":"${project}","type":"${harborRegistryType(host)}","url":"${upstreamUrl(host)}","insecure":false}'`,
      `reg=$(curl -fsS -u "$auth" "$api/registries?q=name%3D${project}" | id_of)`,
      `curl -fsS -o /dev/null -u "$auth" --head "$api/projects?project_name=${project}" || curl -fsS -u "$auth" -H 'Content-Type: application/json' -X POST "$api/projects" -d "{\\"project_name\\":\\"${project}\\",\\"registry_id\\":$reg,\\"metadata\\":{\\"public\\":\\"false\\"}}"`,
      `echo "proxy cache ${project} -> ${host}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A Job that gives the in-cluster Harbor one proxy-cache project per upstream registry the platform
 * pulls from, so images resolve through Harbor (and its Trivy scanner) instead of the internet.
 * The Job name carries a hash of its script: a changed list runs a new Job instead of failing to
 * patch an immutable one.
 */
export class HarborProxyCache extends Construct {
  constructor(scope: Construct, id: string, props: HarborProxyCacheProps) {
    super(scope, id);
    const script = proxyCacheScript(props.upstreams);
    const hash = createHash('sha256').update(script).digest('hex').slice(0, 8);
    new k8s.KubeJob(this, 'job', {
      metadata: { name: `harbor-proxy-cache-${hash}`, namespace: props.namespace, labels: { [LABEL.partOf]: PART_OF } },
      spec: {
        backoffLimit: 10,
        template: {
          metadata: { labels: { [LABEL.partOf]: PART_OF } },
          spec: {
            restartPolicy: 'OnFailure',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'configure',
                image: PLATFORM_IMAGES.harborConfigurator,
                command: ['/bin/sh', '-c', script],
                env: [{ name: 'HARBOR_PASSWORD', valueFrom: { secretKeyRef: { name: props.adminSecret, key: 'password' } } }],
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('32Mi') },
                  limits: { cpu: k8s.Quantity.fromString('200m'), memory: k8s.Quantity.fromString('64Mi') },
                },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    });
  }
}
