import { Testing } from 'cdk8s';
import { ciDeployerName, clusterRoleName, LeastPrivilegeRbac } from '../../../constructs/access/least-privilege-rbac';
import { allowedCells, rulesFor } from '../../../constructs/access/permission-matrix';
import { testChart } from '../../support/test-chart';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; rules?: { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]; subjects?: Record<string, string>[]; roleRef?: { name: string } };

function synth(): Obj[] {
  const chart = testChart();
  new LeastPrivilegeRbac(chart, 'rbac', {
    platformAdmins: ['admins'],
    teams: [
      { name: 'vision', costCenter: 'cc', groups: { mlEngineers: ['v-mle'], dataScientists: ['v-ds'], viewers: [] }, stages: ['training', 'serving'] },
    ],
  });
  return Testing.synth(chart) as Obj[];
}

describe('LeastPrivilegeRbac', () => {
  const objs = synth();

  it('binds only platform admins to the one wildcard ClusterRole', () => {
    const admin = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === clusterRoleName('platform-admin'))!;
    expect(admin.rules?.[0]).toEqual({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] });
    const binding = objs.find((o) => o.kind === 'ClusterRoleBinding')!;
    expect(binding.subjects).toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'admins' }]);
    expect(objs.filter((o) => o.kind === 'ClusterRoleBinding')).toHaveLength(1);
  });

  it('derives each persona role from the permission matrix', () => {
    const role = objs.find((o) => o.metadata.name === clusterRoleName('data-scientist', 'training'))!;
    expect(role.rules).toEqual(rulesFor('data-scientist', 'training'));
    const verbsInRules = role.rules!.flatMap((r) => r.resources!.flatMap((res) => r.verbs.map((v) => `${r.apiGroups![0]}|${res}|${v}`))).sort();
    const cells = allowedCells().filter((c) => c.persona === 'data-scientist' && c.stage === 'training').map((c) => `${c.group}|${c.resource}|${c.verb}`).sort();
    expect(verbsInRules).toEqual(cells);
  });

  it('binds personas per namespace and skips personas without groups', () => {
    const bindings = objs.filter((o) => o.kind === 'RoleBinding').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    expect(bindings).toEqual(['vision-serving/ci-deployer', 'vision-serving/data-scientist', 'vision-serving/ml-engineer', 'vision-training/ci-deployer', 'vision-training/data-scientist', 'vision-training/ml-engineer']);
  });

  it('gives CI a token-less service account bound by RoleBinding', () => {
    const sa = objs.find((o) => o.kind === 'ServiceAccount') as Obj & { automountServiceAccountToken: boolean };
    expect(sa.metadata).toMatchObject({ name: ciDeployerName('vision'), namespace: 'platform-ci' });
    expect(sa.automountServiceAccountToken).toBe(false);
  });

  it('never lets data scientists touch secrets or exec into serving', () => {
    const cells = allowedCells().filter((c) => c.persona === 'data-scientist');
    expect(cells.some((c) => c.resource === 'secrets')).toBe(false);
    expect(cells.some((c) => c.resource === 'pods/exec' && c.stage === 'serving')).toBe(false);
  });
});
