/**
 * Findings of an admission policy as CEL: where a violation can sit in an object (a path such as
 * `spec.template.spec.volumes[]`, where `[]` iterates a list), and the policy variables that walk
 * each path once. Pure; workload-access-cel.ts builds the workload policies from it.
 */

import { celString } from '../cel-literal';

/** CEL: `has()` of each field of `path` below `x`, outermost first ('' for an empty path). */
function guardsOf(x: string, path: string): string {
  const segments = path === '' ? [] : path.split('.');
  return segments.map((_, i) => `has(${x}.${segments.slice(0, i + 1).join('.')})`).join(' && ');
}

const below = (x: string, path: string): string => (path === '' ? x : `${x}.${path}`);

/**
 * CEL: the descriptions of the offending elements of the list `list` along `path` from each of its
 * elements (`[]` iterates a list; through a nested list, the first offending element of each), as a
 * list of strings: empty when none offends. `pred` and `describe` are written once whatever the depth.
 */
export function offendingIn(list: string, path: string, pred: (x: string) => string, describe: (x: string) => string, depth = 0): string {
  const v = `x${depth}`;
  const { root, isList, rest } = splitAtFirstList(path);
  if (!isList) {
    const guards = guardsOf(v, root);
    return `${list}.filter(${v}, ${guards === '' ? '' : `${guards} && `}(${pred(below(v, root))})).map(${v}, ${describe(below(v, root))})`;
  }
  const inner = offendingIn(below(v, root), rest, pred, describe, depth + 1);
  const l = `l${depth}`;
  return `${list}.map(${v}, ${guardsOf(v, root)} ? ${inner} : []).filter(${l}, size(${l}) > 0).map(${l}, ${l}[0])`;
}

/** One place a violation can sit: a path from `object`, the test on the element, what the message says. */
export interface Finding {
  /** Path from `object` to the element tested, e.g. spec.volumes[]. */
  readonly path: string;
  /** CEL test on the element: true when it is a violation. */
  readonly pred: (x: string) => string;
  /** Field named in the message, e.g. spec.volumes[].secret. */
  readonly field: string;
  /** CEL string for the offending value. */
  readonly value: (x: string) => string;
}

/** A CEL variable of a policy. */
export interface PolicyVariable {
  /** Variable name (a CEL identifier, `variables.<name>`). */
  readonly name: string;
  /** CEL expression. */
  readonly expression: string;
}

/** `spec.template.spec.containers[]` -> the part up to its first list (or the whole path), and the rest below an element. */
export function splitAtFirstList(path: string): { root: string; isList: boolean; rest: string } {
  const segments = path === '' ? [] : path.split('.');
  const at = segments.findIndex((s) => s.endsWith('[]'));
  if (at < 0) return { root: path, isList: false, rest: '' };
  return { root: [...segments.slice(0, at), segments[at].slice(0, -2)].join('.'), isList: true, rest: segments.slice(at + 1).join('.') };
}

/** CEL: the list at `root` below `object` ([] when absent), or a path without a list as a list of it when present. */
export function rootList(root: string, isList: boolean): string {
  if (root === '') return '[object]';
  return `${guardsOf('object', root)} ? ${isList ? `object.${root}` : `[object.${root}]`} : []`;
}

/**
 * The findings of a policy as variables, so each path is walked once per admission request and
 * written once in the policy: one variable per list the findings start from (the `has()` guards of
 * its path), and one per finding holding the descriptions of its offending elements (empty when none).
 * Checks and messages only name the finding variables. Kubernetes evaluates variables lazily, once.
 */
export class FindingVariables {
  private readonly lists = new Map<string, PolicyVariable>();
  private readonly findings: PolicyVariable[] = [];

  /** Variables for these findings; returns the finding variables' names, in order. */
  add(group: string, findings: readonly Finding[]): string[] {
    return findings.map((f, i) => {
      const { root, isList, rest } = splitAtFirstList(f.path);
      const listKey = `${root}${isList ? '[]' : ''}`;
      let list = this.lists.get(listKey);
      if (list === undefined) {
        list = { name: `at_${root.replace(/[^A-Za-z0-9]+/g, '_') || 'object'}${isList ? '' : '_'}`, expression: rootList(root, isList) };
        this.lists.set(listKey, list);
      }
      const name = `${group}_${i}`;
      this.findings.push({ name, expression: offendingIn(`variables.${list.name}`, rest, f.pred, f.value) });
      return name;
    });
  }

  /** The list variables, then the finding variables, in the order added (a later one may use an earlier). */
  variables(): PolicyVariable[] {
    return [...this.lists.values(), ...this.findings];
  }
}

/** CEL: does any of these findings (their variables) apply. */
export const anyFinding = (names: readonly string[]): string => (names.length === 0 ? 'false' : names.map((n) => `size(variables.${n}) > 0`).join(' || '));

/** CEL: the first applying finding as "field value". */
export function firstFinding(findings: readonly Finding[], names: readonly string[]): string {
  return findings.reduceRight((otherwise, f, i) => `(size(variables.${names[i]}) > 0 ? ${celString(`${f.field} `)} + variables.${names[i]}[0] : ${otherwise})`, "''");
}

