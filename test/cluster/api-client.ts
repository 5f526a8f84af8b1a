/**
 * A small HTTPS client for the test control plane, authenticated with the admin client
 * certificate of the harness's PKI. It exists for the calls a test makes by the thousand
 * (SubjectAccessReviews, GETs of every applied object): one kubectl process per call
 * would take minutes, a keep-alive connection pool takes seconds.
 *
 * Call close() before the control plane stops, or the pooled sockets keep jest alive.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import { ControlPlane } from './control-plane';

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** A resource type as discovery reports it. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Plural, e.g. `clusterqueues`. */
  readonly resource: string;
  readonly namespaced: boolean;
}

/** Object identity as written in a manifest. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

interface DiscoveryList {
  readonly resources: readonly { readonly name: string; readonly kind: string; readonly namespaced: boolean }[];
}

export class KubeApi {
  private readonly agent: https.Agent;
  private readonly discovery = new Map<string, Promise<Map<string, ResourceType>>>();

  constructor(
    private readonly cp: ControlPlane,
    /** Parallel requests; the apiserver on 2 cores is saturated well before 16. */
    readonly concurrency = 16,
  ) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: concurrency,
      ca: fs.readFileSync(cp.pki.ca.cert),
      cert: fs.readFileSync(cp.pki.admin.cert),
      key: fs.readFileSync(cp.pki.admin.key),
    });
  }

  request(method: string, apiPath: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.cp.server}${apiPath}`,
        {
          method,
          agent: this.agent,
          timeout: 30000,
          headers: {
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${apiPath}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async json<T>(method: string, apiPath: string, body?: unknown): Promise<T> {
    const res = await this.request(method, apiPath, body);
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`${method} ${apiPath}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
    }
    return JSON.parse(res.body) as T;
  }

  /** Kind -> resource type of one group/version (cached; CRDs must be established first). */
  private resourcesOf(apiVersion: string): Promise<Map<string, ResourceType>> {
    let found = this.discovery.get(apiVersion);
    if (found === undefined) {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      const apiPath = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
      found = this.json<DiscoveryList>('GET', apiPath).then(
        (list) =>
          new Map(
            list.resources
              .filter((r) => !r.name.includes('/'))
              .map((r): [string, ResourceType] => [r.kind, { group, version, kind: r.kind, resource: r.name, namespaced: r.namespaced }]),
          ),
      );
      // A failed lookup (CRD not yet served) must not be cached.
      found.catch(() => this.discovery.delete(apiVersion));
      this.discovery.set(apiVersion, found);
    }
    return found;
  }

  async resourceType(apiVersion: string, kind: string): Promise<ResourceType> {
    let type = (await this.resourcesOf(apiVersion)).get(kind);
    if (type === undefined) {
      // The group version may have been discovered before a CRD added this kind to it (kubeflow.org/v1: Profile, then Notebook).
      this.discovery.delete(apiVersion);
      type = (await this.resourcesOf(apiVersion)).get(kind);
    }
    if (type === undefined) {
      throw new Error(`the API server does not serve kind ${kind} in ${apiVersion}`);
    }
    return type;
  }

  /** REST path of a named object. */
  async objectPath(ref: ObjectRef): Promise<string> {
    const t = await this.resourceType(ref.apiVersion, ref.kind);
    const base = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
    const ns = t.namespaced ? `/namespaces/${ref.metadata.namespace ?? 'default'}` : '';
    return `${base}${ns}/${t.resource}/${ref.metadata.name}`;
  }

  /** Drop pooled sockets (call before the control plane stops). */
  close(): void {
    this.agent.destroy();
  }
}

/** Runs fn over items with at most `limit` in flight; results in input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) {
        return;
      }
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
