import { ENVIRONMENTS, parseSpec, PlatformSpecInput } from '../../../environments';
import { renderEnvironment } from '../../../stacks/manifests';
import { formatPlan, hasChanges, planEnvironment, treeOfRender } from '../../../stacks/planning';

const treeOf = (input: PlatformSpecInput) => treeOfRender(renderEnvironment(parseSpec(input, input.name)));

describe('planEnvironment on a spec change', () => {
  type Team = { name: string; costCenter: string; quotas: { training: { cpu: number; sharedGpu: number }; serving: { sharedGpu: number } }; poolQuotas: Record<string, number> };
  const base = structuredClone(ENVIRONMENTS.dev) as PlatformSpecInput & { teams: Team[] };
  const before = treeOf(base);

  it('finds no change between two renders of the same spec', () => {
    const plan = planEnvironment(before, treeOf(structuredClone(ENVIRONMENTS.dev)));
    expect(hasChanges(plan)).toBe(false);
    expect(formatPlan('dev', 'dist', plan)).toBe('cluster local: no changes\ndev: no changes on 1 cluster (against dist)');
  });

  it("shows a team's training CPU quota change as one field of its ResourceQuota", () => {
    const changed = structuredClone(base);
    changed.teams[0].quotas.training.cpu = 16;
    const plan = planEnvironment(before, treeOf(changed));
    const quota = plan.clusters[0].changed.find((c) => c.key === 'core/ResourceQuota research-training/stage-budget');
    expect(quota?.fields).toEqual([
      { path: 'spec.hard["limits.cpu"]', before: '16', after: '32' },
      { path: 'spec.hard["requests.cpu"]', before: '8', after: '16' },
    ]);
    expect(plan.added + plan.removed).toBe(0);
    expect(formatPlan('dev', 'dist', plan)).toMatch(/~ spec\.hard\["requests\.cpu"\]: "8" -> "16"/);
  });

  it("lists a new team's namespaces as added and a removed team's as removed", () => {
    const withTeam = structuredClone(base);
    const vision = { ...structuredClone(base.teams[0]), name: 'vision', costCenter: 'cc-2002', poolQuotas: { 'shared-t4': 2 } };
    vision.quotas.training.sharedGpu = 1;
    vision.quotas.serving.sharedGpu = 1;
    withTeam.teams.push(vision);
    const grow = planEnvironment(before, treeOf(withTeam));
    expect(grow.clusters[0].added).toEqual(expect.arrayContaining(['core/Namespace vision-training', 'core/Namespace vision-serving']));
    expect(grow.removed).toBe(0);
    const shrink = planEnvironment(treeOf(withTeam), before);
    expect(shrink.clusters[0].removed).toEqual(grow.clusters[0].added);
    expect(shrink.added).toBe(0);
    expect(formatPlan('dev', 'dist', shrink)).toMatch(new RegExp(`^dev: 0 to add, \\d+ to change, ${grow.added} to remove on 1 of 1 cluster`, 'm'));
  });

  it('marks clusters that appear or disappear', () => {
    const plan = planEnvironment(new Map(), before);
    expect(plan.clusters).toEqual([expect.objectContaining({ cluster: 'local', status: 'new' })]);
    expect(planEnvironment(before, new Map()).clusters[0].status).toBe('removed');
  });
});
