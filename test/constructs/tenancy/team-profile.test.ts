import { profileName, PROFILE_OWNER_ANNOTATION } from '../../../constructs/tenancy/team-profile';
import { loadEnvironment } from '../../../environments';
import { dig } from '../../support/dig';
import { everyCluster } from '../../support/synth';

/** Each team's Profile, namespaces, quotas and owners agree, in every environment. */
describe.each(everyCluster().filter(([env, cluster]) => loadEnvironment(env).clusters.find((c) => c.name === cluster)?.role === 'primary'))('%s/%s: Kubeflow teams', (env, _cluster, objs) => {
  const spec = loadEnvironment(env);
  it.each(spec.teams.map((t) => [t.name, t] as const))('%s: Profile adopts the training namespace with the same owner and quota', (_name, team) => {
    const profile = objs.find((o) => o.kind === 'Profile' && o.metadata.name === profileName(team.name))!;
    expect(dig(profile, 'spec.owner')).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: team.groups.mlEngineers[0] });
    const ns = objs.find((o) => o.kind === 'Namespace' && o.metadata.name === profile.metadata.name)!;
    expect(ns.metadata.annotations?.[PROFILE_OWNER_ANNOTATION]).toBe(team.groups.mlEngineers[0]);
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const quota = objs.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === profile.metadata.name)!;
    expect(dig(profile, 'spec.resourceQuotaSpec.hard')).toEqual(dig(quota, 'spec.hard'));
  });

  it('gives notebooks the stage account, the GPU toleration and, in training, the queue', () => {
    for (const team of spec.teams) {
      const training = objs.find((o) => o.kind === 'PodDefault' && o.metadata.namespace === `${team.name}-training`)!;
      expect(training.spec).toMatchObject({ serviceAccountName: 'workload', labels: { 'kueue.x-k8s.io/queue-name': 'gpu' }, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] });
      const dataPrep = objs.find((o) => o.kind === 'PodDefault' && o.metadata.namespace === `${team.name}-data-prep`)!;
      expect(dig(dataPrep, 'spec.labels')).toBeUndefined();
    }
  });
});
