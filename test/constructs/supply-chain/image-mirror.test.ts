import { mirrorImage, mirrorProject, mirrorRepository, parseImage } from '../../../constructs/supply-chain/image-mirror';

describe('image mirror naming', () => {
  it.each([
    ['nginx', { host: 'docker.io', path: 'library/nginx', tag: '', digest: '' }],
    ['grafana/grafana:12.0.0', { host: 'docker.io', path: 'grafana/grafana', tag: ':12.0.0', digest: '' }],
    ['quay.io/jetstack/cert-manager-controller:v1.21.1', { host: 'quay.io', path: 'jetstack/cert-manager-controller', tag: ':v1.21.1', digest: '' }],
    ['registry.dev.internal:5000/ml/app@sha256:abc', { host: 'registry.dev.internal:5000', path: 'ml/app', tag: '', digest: '@sha256:abc' }],
    ['localhost/app:1', { host: 'localhost', path: 'app', tag: ':1', digest: '' }],
  ])('parses %s', (ref, want) => expect(parseImage(ref)).toEqual(want));

  it('keeps one project per upstream registry', () => {
    expect(mirrorProject('registry.k8s.io')).toBe('registry-k8s-io');
    expect(mirrorImage('registry.k8s.io/kueue/kueue:v0.19.2', 'harbor.example.com')).toBe('harbor.example.com/registry-k8s-io/kueue/kueue:v0.19.2');
    expect(mirrorImage('nginx:1.27', 'harbor.example.com')).toBe('harbor.example.com/docker-io/library/nginx:1.27');
    expect(mirrorRepository('nvcr.io/nvidia', 'm.example.com')).toBe('m.example.com/nvcr-io/nvidia');
  });

  it('leaves images already on the mirror alone', () => {
    expect(mirrorImage('harbor.example.com/ml/app:1', 'harbor.example.com')).toBe('harbor.example.com/ml/app:1');
  });
});
