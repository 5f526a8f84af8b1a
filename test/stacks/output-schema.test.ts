import { CrdValidator } from '../support/crd-validator';
import { isBuiltInKind, validateBuiltIn } from '../support/k8s-schema';
import { everyCluster } from '../support/synth';

/** Every synthesized object is valid: built-in kinds against the Kubernetes schema, custom resources against their upstream CRD. */
const crds = new CrdValidator();

describe.each(everyCluster())('%s/%s: every object validates offline', (_env, _cluster, objects) => {
  it('built-in kinds match the Kubernetes OpenAPI schema', () => {
    const builtIn = objects.filter((o) => !crds.knows(o.apiVersion, o.kind));
    const errors = builtIn.flatMap((o) => validateBuiltIn(o).map((e) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: ${e}`));
    expect(errors).toEqual([]);
    expect(builtIn.length).toBeGreaterThan(0);
  });

  it('custom resources match their upstream CRD', () => {
    const custom = objects.filter((o) => crds.knows(o.apiVersion, o.kind));
    const errors = custom.flatMap((o) => crds.validate(o).map((e) => `${o.kind} ${o.metadata.name}: ${e}`));
    expect(errors).toEqual([]);
    expect(custom.length).toBeGreaterThan(0);
  });

  it('every kind is known to one of the two validators', () => {
    const unknown = objects.filter((o) => !crds.knows(o.apiVersion, o.kind) && !isBuiltInKind(o.apiVersion, o.kind)).map((o) => `${o.apiVersion} ${o.kind}`);
    expect(unknown).toEqual([]);
  });
});

describe('the validators reject bad objects', () => {
  it('a ResourceQuota with a non-quantity', () => {
    expect(validateBuiltIn({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: { n: 1 } } } } as never)).not.toEqual([]);
  });
  it('a HelmRelease without a chart source', () => {
    expect(crds.validate({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x' }, spec: { interval: 5 } } as never)).not.toEqual([]);
  });
  it('an unknown custom kind is an error, not a pass', () => {
    expect(() => crds.validate({ apiVersion: 'example.com/v1', kind: 'Widget' })).toThrow(/no CRD fixture defines example.com\/v1 Widget/);
  });
});
