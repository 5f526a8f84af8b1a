import { STAGES } from '../../../environments/schema';
import { allowedCells, PERSONAS } from '../../../constructs/access/permission-matrix';
import * as YAML from 'yaml';
import { kueueManagerConfig } from '../../../constructs/queues/kueue-config';
import { QUEUED_STAGES } from '../../../constructs/queues/queue-plan';
import { STAGE_SERVICE_ACCOUNT } from '../../../constructs/tenancy/workflow-namespace';
import { accessModel, WORKLOAD_KINDS, workloadAccess } from '../../../constructs/access/workload-access';
import { podPathsOf } from '../../../constructs/access/workload-access-cel';

/** Matrix resources that are created but carry no pod template (so no Secret or account references). */
const NOT_POD_CARRYING = new Set(['|services', '|configmaps', '|persistentvolumeclaims', '|secrets', '|pods/exec', '|pods/portforward']);

describe('workload access model (derived from the permission matrix)', () => {
  it('covers every persona x stage', () => {
    expect(accessModel().map((a) => `${a.persona}/${a.stage}`)).toEqual(PERSONAS.flatMap((p) => STAGES.map((s) => `${p}/${s}`)));
  });

  it('knows every resource the matrix lets anyone create: a pod-carrying kind it can walk, or one without pods', () => {
    const created = new Set(allowedCells().filter((c) => c.verb === 'create').map((c) => `${c.group}|${c.resource}`));
    const known = new Set(WORKLOAD_KINDS.map((k) => `${k.group}|${k.resource}`));
    expect([...created].filter((r) => !known.has(r) && !NOT_POD_CARRYING.has(r))).toEqual([]);
    for (const k of WORKLOAD_KINDS) expect(() => podPathsOf(k.kind)).not.toThrow();
  });

  it('gives shared data credentials to the personas that run workloads but cannot read Secrets, everything to those who can', () => {
    for (const stage of STAGES) {
      expect(workloadAccess('ml-engineer', stage).secrets).toBe('any');
      expect(workloadAccess('viewer', stage).secrets).toBe('none');
    }
    expect(workloadAccess('data-scientist', 'training').secrets).toBe('data-credentials');
    expect(workloadAccess('data-scientist', 'data-prep').secrets).toBe('data-credentials');
    expect(workloadAccess('data-scientist', 'serving').secrets).toBe('none');
    expect(workloadAccess('ci-deployer', 'serving').secrets).toBe('data-credentials');
    expect(workloadAccess('ci-deployer', 'data-prep').secrets).toBe('none');
  });

  it('lets workloads run only as the stage account, never with an API token', () => {
    for (const a of accessModel()) {
      expect(a.apiToken).toBe(false);
      expect(a.serviceAccounts).toEqual(a.workloadKinds.length > 0 ? [STAGE_SERVICE_ACCOUNT] : []);
    }
  });

  it('offers GPUs only through the queues of the queued stages, ClusterIP Services only to those who may create Services', () => {
    for (const a of accessModel()) {
      expect(a.gpu).toBe(a.workloadKinds.length > 0 && QUEUED_STAGES.includes(a.stage) ? 'kueue-queue' : 'none');
      expect(a.serviceTypes).toEqual(allowedCells().some((c) => c.persona === a.persona && c.stage === a.stage && c.resource === 'services' && c.verb === 'create') ? ['ClusterIP'] : []);
    }
    expect(workloadAccess('data-scientist', 'data-prep').gpu).toBe('none');
    expect(workloadAccess('data-scientist', 'training').gpu).toBe('kueue-queue');
  });

  it('relies on one GPU gate: the stages it sends through the queue are exactly those whose namespaces Kueue manages without a queue name', () => {
    const config = YAML.parse(kueueManagerConfig({ multiKueue: false })) as { manageJobsWithoutQueueName: boolean; managedJobsNamespaceSelector: { matchExpressions: { key: string; values?: string[] }[] } };
    expect(config.manageJobsWithoutQueueName).toBe(true);
    const gated = config.managedJobsNamespaceSelector.matchExpressions.find((e) => e.key === 'ml.platform/stage')?.values ?? [];
    const queued = [...new Set(accessModel().filter((a) => a.gpu === 'kueue-queue').map((a) => a.stage))];
    expect([...queued].sort()).toEqual([...gated].sort());
  });

  it('lists the workload kinds per persona and stage from the matrix', () => {
    const kinds = (p: Parameters<typeof workloadAccess>[0], s: Parameters<typeof workloadAccess>[1]) => workloadAccess(p, s).workloadKinds.map((k) => k.kind);
    expect(kinds('data-scientist', 'training')).toEqual(['Pod', 'Job', 'CronJob', 'Notebook', 'TrainJob', 'Workflow']);
    expect(kinds('ml-engineer', 'serving')).toEqual(['Pod', 'Job', 'CronJob', 'Deployment', 'StatefulSet', 'Notebook', 'TrainJob', 'Workflow', 'InferenceService']);
    expect(kinds('ci-deployer', 'training')).toEqual(['TrainJob']);
    expect(kinds('ci-deployer', 'serving')).toEqual(['Deployment', 'InferenceService']);
    expect(kinds('viewer', 'training')).toEqual([]);
  });
});
