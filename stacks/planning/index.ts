/**
 * `npm run plan`: what the current spec would change against a previous synth (a directory or a
 * git ref), per cluster and field by field. Pure functions except the baseline readers.
 */
export * from './environment-plan';
export * from './git-baseline';
export * from './line-diff';
export * from './object-diff';
export * from './object-key';
export * from './plan-report';
export * from './synth-tree';
