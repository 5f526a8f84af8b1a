import { containerDefaults, quotaHard } from '../../../constructs/tenancy/resource-budget';

describe('resource budget', () => {
  const q = { cpu: 2, memoryGiB: 1, gpu: 0, sharedGpu: 3, storageGiB: 10, maxPods: 5 };
  it('always carries both GPU lines, zero when the stage gets none', () => {
    expect(quotaHard(q)).toMatchObject({ 'requests.nvidia.com/gpu': '0', 'requests.nvidia.com/gpu.shared': '3' });
  });
  it('never lets memory limits exceed requests budget', () => {
    const h = quotaHard(q);
    expect(h['limits.memory']).toBe(h['requests.memory']);
  });
  it('keeps keys sorted for stable output', () => {
    const keys = Object.keys(quotaHard(q));
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
  });
  it('defaults fit inside a small budget', () => {
    expect(containerDefaults(q)).toEqual({ defaultRequest: { cpu: '100m', memory: '256Mi' }, default: { cpu: '500m', memory: '512Mi' }, max: { cpu: '4', memory: '1Gi' } });
  });
});
