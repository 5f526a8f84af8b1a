import { Testing } from 'cdk8s';
import { ImageSignaturePolicy } from '../../../constructs/supply-chain/image-signature-policy';
import { CrdValidator } from '../../support/crd-validator';
import { testChart } from '../../support/test-chart';

describe('ImageSignaturePolicy', () => {
  const chart = testChart();
  new ImageSignaturePolicy(chart, 's', {
    signed: [
      { registry: 'harbor.example.com/ml', publicKeySecret: 'signing-key' },
      { registry: 'ghcr.io/example-org', keyless: { issuer: 'https://token.actions.githubusercontent.com', subjectRegExp: '^https://github\\.com/example-org/' } },
    ],
  });
  const objs = Testing.synth(chart);

  it('requires a signature from a key Secret or a keyless identity per registry', () => {
    expect(objs.map((o) => o.metadata.name)).toEqual(['signed-harbor-example-com-ml', 'signed-ghcr-io-example-org']);
    expect(objs[0].spec).toEqual({ images: [{ glob: 'harbor.example.com/ml/**' }], authorities: [{ name: 'key', key: { secretRef: { name: 'signing-key' } } }] });
    expect(objs[1].spec.authorities[0].keyless.identities).toEqual([{ issuer: 'https://token.actions.githubusercontent.com', subjectRegExp: '^https://github\\.com/example-org/' }]);
  });

  it('validates against the policy-controller CRD', () => {
    const crds = new CrdValidator();
    for (const o of objs) expect(crds.validate(o)).toEqual([]);
  });

  it('refuses a signer with both or neither verification method', () => {
    expect(() => new ImageSignaturePolicy(testChart(), 's', { signed: [{ registry: 'a.io/x' }] })).toThrow(/give exactly one of publicKeySecret or keyless/);
  });
});
