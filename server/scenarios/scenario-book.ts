/**
 * Scenario rules set while the mock runs (control API, startMock): an error, a delay or a connection
 * fault for all requests or some ids, for the next N requests or with a probability. Newest rule first,
 * like msw's `use()`, so a test can override what an earlier one set.
 */
import { scenarioRule } from '../../schemas/validators.js';
import { atlasErrorChoices, findAtlasError, type AtlasErrorDefinition } from '../http/atlas-errors.js';
import type { Fault } from './faults.js';
import type { JobIds } from '../jobs/generate-restore-job.js';
import { streamFromText, type SeededStream } from '../jobs/seeded-random.js';
import { describeAjvErrors } from '../validation/spec-schemas.js';
import { asValidator } from '../validation/validator.js';

export { FAULTS, type Fault } from './faults.js';

export interface DelayRange {
  minMs: number;
  maxMs: number;
}

/** What one request gets besides (or instead of) its job. */
export interface Effect {
  error?: AtlasErrorDefinition;
  delay?: DelayRange;
  fault?: Fault;
}

export interface ScenarioRuleInput {
  /** a status or error name, as for --scenario */
  error?: string;
  /** `300` or `100-500` (ms), or a number */
  delay?: string | number;
  fault?: Fault;
  groupId?: string;
  clusterName?: string;
  restoreJobId?: string;
  /** fires on the next N matching requests, then is gone */
  times?: number;
  /** fires on this share of matching requests, 0..1 */
  probability?: number;
}

export interface ScenarioRule extends ScenarioRuleInput {
  id: string;
}

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const MAX_DELAY_MS = 120_000;

/** `300` → 300..300; `100-500` → 100..500; undefined when malformed. */
export function parseDelay(value: string | number): DelayRange | undefined {
  const match = /^\s*(\d{1,6})\s*(?:-\s*(\d{1,6}))?\s*(?:ms)?\s*$/.exec(String(value));
  if (!match) return undefined;
  const minMs = Number(match[1]);
  const maxMs = match[2] === undefined ? minMs : Number(match[2]);
  return minMs <= maxMs && maxMs <= MAX_DELAY_MS ? { minMs, maxMs } : undefined;
}

/** The schema is SCENARIO_RULE_SCHEMA in validator-schemas.ts; precompiled, like every validator of the mock. */
const validateRule = asValidator<ScenarioRuleInput>(scenarioRule);

interface CompiledRule {
  rule: ScenarioRule;
  effect: Effect;
  remaining: number | undefined;
}

export class ScenarioBook {
  #rules: CompiledRule[] = [];
  #counter = 0;
  #random: SeededStream;

  constructor(private readonly seed: number) {
    // Seeded, so a run with probabilities replays the same way.
    this.#random = streamFromText(`scenarios:${seed}`);
  }

  /** Checks and adds a rule; throws ScenarioError naming each bad field. */
  add(input: unknown): ScenarioRule {
    if (!validateRule(input)) throw new ScenarioError(describeAjvErrors(validateRule.errors, input));
    const effect: Effect = {};
    const problems: string[] = [];
    if (input.error !== undefined) {
      const error = findAtlasError(input.error);
      if (error) effect.error = error;
      else problems.push(`field "error": ${JSON.stringify(input.error)} names no error; use one of ${atlasErrorChoices().join(', ')}`);
    }
    if (input.delay !== undefined) {
      const delay = parseDelay(input.delay);
      if (delay) effect.delay = delay;
      else problems.push(`field "delay": ${JSON.stringify(input.delay)} is not a delay; write 300 or 100-500 (ms, at most ${MAX_DELAY_MS})`);
    }
    if (input.fault !== undefined) effect.fault = input.fault;
    if (!effect.error && !effect.delay && !effect.fault) problems.push('the rule does nothing: give error, delay or fault');
    if (problems.length > 0) throw new ScenarioError(problems);
    const rule: ScenarioRule = { ...input, id: `s${++this.#counter}` };
    this.#rules.unshift({ rule, effect, remaining: input.times });
    return rule;
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.rule.id !== id);
    return this.#rules.length < before;
  }

  list(): ScenarioRule[] {
    return this.#rules.map((r) => ({ ...r.rule, ...(r.remaining !== undefined ? { times: r.remaining } : {}) }));
  }

  clear(): void {
    this.#rules = [];
    this.#random = streamFromText(`scenarios:${this.seed}`);
  }

  /** The newest rule that matches these ids and fires now; counts it down. */
  match(ids: JobIds): Effect | undefined {
    for (const compiled of this.#rules) {
      const { rule } = compiled;
      if (rule.groupId !== undefined && rule.groupId !== ids.groupId) continue;
      if (rule.clusterName !== undefined && rule.clusterName !== ids.clusterName) continue;
      if (rule.restoreJobId !== undefined && rule.restoreJobId !== ids.restoreJobId) continue;
      if (rule.probability !== undefined && this.#random.next() >= rule.probability) continue;
      if (compiled.remaining !== undefined) {
        compiled.remaining -= 1;
        if (compiled.remaining <= 0) this.remove(rule.id);
      }
      return compiled.effect;
    }
    return undefined;
  }

  get size(): number {
    return this.#rules.length;
  }
}
