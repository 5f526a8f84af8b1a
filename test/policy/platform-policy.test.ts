import { ciDeployerName } from '../../constructs/access/least-privilege-rbac';
import { allowedCells, matrixResources, Persona, PERSONAS } from '../../constructs/access/permission-matrix';
import { PLATFORM_NAMESPACES, workflowNamespaceName } from '../../constructs/tenancy/platform-namespaces';
import { clusterStages, loadEnvironment, STAGES } from '../../environments';
import { ManifestObject } from '../../stacks/manifests';
import { isAllowed, Subject } from '../support/rbac-evaluator';
import { everyCluster } from '../support/synth';
import { ALL_POLICIES, hardenedPods, imageIsPinned, namespaceGuardrails, namespacesExist, noInlineSecrets, noWildcardRbac, pinnedImages, restrictedPodSecurity } from './rules';

const clusters = everyCluster();

describe.each(clusters)('%s/%s: platform policy', (_env, _cluster, objects) => {
  it.each(Object.entries(ALL_POLICIES))('%s holds', (_name, policy) => {
    expect(policy(objects)).toEqual([]);
  });

  it('has workload namespaces to check (policies are not vacuous)', () => {
    expect(objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['ml.platform/team'])).not.toHaveLength(0);
  });
});

/** The persona matrix, cell by cell, against the synthesized Roles and bindings. */
describe.each(clusters)('%s/%s: the permission matrix holds', (env, clusterName, objects) => {
  const spec = loadEnvironment(env);
  const cluster = spec.clusters.find((c) => c.name === clusterName)!;
  const stages = clusterStages(spec, cluster);
  const allowed = new Set(allowedCells().map((c) => `${c.persona}|${c.stage}|${c.group}|${c.resource}|${c.verb}`));
  const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

  const subjectsFor = (team: (typeof spec.teams)[number], persona: Persona): Subject[] => {
    switch (persona) {
      case 'ml-engineer': return team.groups.mlEngineers.map((name) => ({ kind: 'Group', name }));
      case 'data-scientist': return team.groups.dataScientists.map((name) => ({ kind: 'Group', name }));
      case 'viewer': return team.groups.viewers.map((name) => ({ kind: 'Group', name }));
      case 'ci-deployer': return [{ kind: 'ServiceAccount', name: ciDeployerName(team.name), namespace: PLATFORM_NAMESPACES.ci }];
    }
  };

  it('every cell (allowed and denied) matches for every team, persona and stage', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const team of spec.teams) {
      for (const persona of PERSONAS) {
        for (const subject of subjectsFor(team, persona)) {
          for (const stage of stages) {
            for (const { group, resource } of matrixResources()) {
              for (const verb of verbs) {
                const want = allowed.has(`${persona}|${stage}|${group}|${resource}|${verb}`);
                const got = isAllowed(objects, subject, workflowNamespaceName(team.name, stage), group, resource, verb);
                checked++;
                if (want !== got) mismatches.push(`${team.name} ${persona} ${stage} ${group}/${resource} ${verb}: want ${want}, got ${got}`);
              }
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  it('a team cannot act in another team\'s namespaces', () => {
    if (spec.teams.length < 2) return;
    const [a, b] = spec.teams;
    const subject: Subject = { kind: 'Group', name: a.groups.mlEngineers[0] };
    for (const stage of stages) expect(isAllowed(objects, subject, workflowNamespaceName(b.name, stage), '', 'pods', 'get')).toBe(false);
  });

  it('data scientists cannot read Secrets, exec into serving pods, or change quotas, RBAC or NetworkPolicies', () => {
    for (const team of spec.teams) {
      for (const name of team.groups.dataScientists) {
        const ds: Subject = { kind: 'Group', name };
        for (const stage of stages) {
          const ns = workflowNamespaceName(team.name, stage);
          expect(isAllowed(objects, ds, ns, '', 'secrets', 'get')).toBe(false);
          for (const verb of ['create', 'update', 'patch', 'delete']) {
            expect(isAllowed(objects, ds, ns, '', 'resourcequotas', verb)).toBe(false);
            expect(isAllowed(objects, ds, ns, 'rbac.authorization.k8s.io', 'rolebindings', verb)).toBe(false);
            expect(isAllowed(objects, ds, ns, 'networking.k8s.io', 'networkpolicies', verb)).toBe(false);
          }
        }
        if (stages.includes('serving')) expect(isAllowed(objects, ds, workflowNamespaceName(team.name, 'serving'), '', 'pods/exec', 'create')).toBe(false);
      }
    }
  });

  it('platform admins may do anything anywhere', () => {
    const admin: Subject = { kind: 'Group', name: spec.platformAdmins[0] };
    expect(isAllowed(objects, admin, 'kube-system', '', 'secrets', 'delete')).toBe(true);
  });
});

/** Each policy must be able to fail: a crafted bad object is caught. */
describe('policies catch violations', () => {
  const ns = (labels: Record<string, string>): ManifestObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 't-training', labels: { 'ml.platform/team': 't', ...labels } } });
  const pod = (container: Record<string, unknown>, podSecurity: Record<string, unknown> = {}): ManifestObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 't-training' },
    spec: { template: { spec: { securityContext: podSecurity, containers: [{ name: 'c', ...container }] } } },
  });
  const good = {
    image: 'registry.example.com/app:1.0',
    resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
  };

  it('baseline namespace', () => expect(restrictedPodSecurity([ns({ 'pod-security.kubernetes.io/enforce': 'baseline' })])).not.toEqual([]));
  it('namespace without quota, limits, deny', () => expect(namespaceGuardrails([ns({})])).toHaveLength(3));
  it('wildcard verbs', () => expect(noWildcardRbac([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] }])).toHaveLength(1));
  it('latest and untagged images', () => {
    expect(imageIsPinned('nginx')).toBe(false);
    expect(imageIsPinned('nginx:latest')).toBe(false);
    expect(imageIsPinned('registry:5000/nginx')).toBe(false);
    expect(imageIsPinned('registry:5000/nginx:1.27')).toBe(true);
    expect(imageIsPinned('nginx@sha256:abc')).toBe(true);
    expect(pinnedImages([pod({ ...good, image: 'nginx' })])).toHaveLength(1);
  });
  it('unhardened containers', () => {
    expect(hardenedPods([pod(good)])).toEqual([]);
    expect(hardenedPods([pod({ image: 'a:1' })])).toHaveLength(6);
    expect(hardenedPods([pod({ ...good, securityContext: { ...good.securityContext, privileged: true } })])).toHaveLength(1);
  });
  it('objects in a namespace nobody creates', () => expect(namespacesExist([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ghost' } }])).toEqual(['ConfigMap ghost/c: namespace ghost is not in the output']));
  it('inline Secret data', () => expect(noInlineSecrets([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } }])).toHaveLength(1));
  it('covers every stage of the workflow', () => expect(STAGES).toEqual(['data-prep', 'training', 'serving', 'monitoring']));
});
