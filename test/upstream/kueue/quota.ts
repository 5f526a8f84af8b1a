/**
 * A team's queue limits on a pool as the platform's ClusterQueues set them (nominal quota from
 * poolQuotas, borrowing and lending limits in percent of it): what the scenarios expect Kueue to
 * allow. Shared by the scenario suites.
 */
import { GpuPoolSpec, PlatformSpec, TeamSpec } from '../../../environments';

export const nominalOf = (t: TeamSpec, pool: GpuPoolSpec): number => Number(t.poolQuotas[pool.name] ?? 0);
export const pctOf = (t: TeamSpec, pool: GpuPoolSpec, v: number): number => Math.floor((nominalOf(t, pool) * v) / 100);
export const lendableOf = (t: TeamSpec, pool: GpuPoolSpec): number => pctOf(t, pool, t.queueing.lendingLimitPercent);
/** What a team's ClusterQueue can hold on a pool while the others are idle: nominal + min(own borrowing limit, what the others lend). */
export const maxOf = (spec: PlatformSpec, t: TeamSpec, pool: GpuPoolSpec): number =>
  nominalOf(t, pool) + Math.min(pctOf(t, pool, t.queueing.borrowingLimitPercent), spec.teams.filter((o) => o !== t).reduce((n, o) => n + lendableOf(o, pool), 0));
