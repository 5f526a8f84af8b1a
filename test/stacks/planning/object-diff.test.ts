import { diffObjects } from '../../../stacks/planning/object-diff';

describe('diffObjects', () => {
  it('names each changed, added and removed leaf by its path', () => {
    const before = { spec: { hard: { 'requests.nvidia.com/gpu': '2', pods: '20' }, scopes: ['a'] } };
    const after = { spec: { hard: { 'requests.nvidia.com/gpu': '4', 'limits.cpu': '8' }, scopes: ['a', 'b'] } };
    expect(diffObjects(before, after)).toEqual([
      { path: 'spec.hard["limits.cpu"]', after: '8' },
      { path: 'spec.hard.pods', before: '20' },
      { path: 'spec.hard["requests.nvidia.com/gpu"]', before: '2', after: '4' },
      { path: 'spec.scopes[1]', after: 'b' },
    ]);
  });

  it('is empty for equal objects, whatever the key order', () => {
    expect(diffObjects({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('matches named list entries by name, so an inserted container is one addition', () => {
    const c = (name: string, image: string) => ({ name, image });
    const before = { containers: [c('main', 'x:1'), c('sidecar', 's:1')] };
    const after = { containers: [c('init', 'i:1'), c('main', 'x:2'), c('sidecar', 's:1')] };
    expect(diffObjects(before, after)).toEqual([
      { path: 'containers[name="init"]', after: c('init', 'i:1') },
      { path: 'containers[name="main"].image', before: 'x:1', after: 'x:2' },
    ]);
  });

  it('matches Prometheus rules by alert or record name', () => {
    const before = { rules: [{ alert: 'A', expr: 'up == 0' }, { record: 'r', expr: 'sum(x)' }] };
    const after = { rules: [{ record: 'r', expr: 'sum(y)' }, { alert: 'A', expr: 'up == 0' }] };
    expect(diffObjects(before, after)).toEqual([
      { path: 'rules[record="r"].expr', before: 'sum(x)', after: 'sum(y)' },
      { path: 'rules(order)', before: ['alert="A"', 'record="r"'], after: ['record="r"', 'alert="A"'] },
    ]);
  });

  it('falls back to positions when entries are unnamed or names repeat', () => {
    expect(diffObjects({ l: [{ name: 'a', v: 1 }, { name: 'a', v: 2 }] }, { l: [{ name: 'a', v: 1 }, { name: 'a', v: 3 }] })).toEqual([{ path: 'l[1].v', before: 2, after: 3 }]);
  });

  it('reports a type change (object to scalar) as one change', () => {
    expect(diffObjects({ a: { b: 1 } }, { a: 'x' })).toEqual([{ path: 'a', before: { b: 1 }, after: 'x' }]);
  });
});
