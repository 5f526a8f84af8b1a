import { Testing } from 'cdk8s';
import { HarborProxyCache, proxyCacheScript } from '../../../constructs/supply-chain/harbor-proxy-cache';
import { hardenedPods, pinnedImages } from '../../policy/rules';
import { dig } from '../../support/dig';
import { testChart } from '../../support/test-chart';

function job(upstreams: string[]) {
  const chart = testChart();
  new HarborProxyCache(chart, 'h', { namespace: 'harbor', upstreams, adminSecret: 'harbor-admin' });
  return Testing.synth(chart)[0];
}

describe('HarborProxyCache', () => {
  it('creates one proxy-cache project per upstream, each with the right endpoint type, idempotently', () => {
    const script = proxyCacheScript(['quay.io', 'docker.io', 'nvcr.io']);
    expect(script).toMatch(/"name":"docker-io","type":"docker-hub","url":"https:\/\/hub.docker.com"/);
    expect(script).toMatch(/"name":"quay-io","type":"quay"/);
    expect(script).toMatch(/"name":"nvcr-io","type":"docker-registry","url":"https:\/\/nvcr.io"/);
    // Each create is guarded by a lookup, so a re-run changes nothing.
    expect(script.match(/\|\| curl -fsS -u "\$auth" -H 'Content-Type: application\/json' -X POST/g)).toHaveLength(6);
    expect(script.indexOf('docker-io')).toBeLessThan(script.indexOf('nvcr-io'));
  });

  it('runs a hardened, pinned pod that reads the admin password from a Secret', () => {
    const j = job(['quay.io']);
    expect(hardenedPods([j])).toEqual([]);
    expect(pinnedImages([j])).toEqual([]);
    expect(dig(j, 'spec.template.spec.containers.0.env.0.valueFrom')).toEqual({ secretKeyRef: { name: 'harbor-admin', key: 'password' } });
  });

  it('names the Job after its content, so a changed upstream list runs a new Job', () => {
    expect(job(['quay.io']).metadata.name).not.toBe(job(['quay.io', 'ghcr.io']).metadata.name);
    expect(job(['quay.io']).metadata.name).toBe(job(['quay.io']).metadata.name);
  });
});
