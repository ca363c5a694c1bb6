/**
 * Request loggers that become pino's child only when the request writes a line at a level that is on.
 *
 * Why: Fastify asks its root logger for a child for every request, and pino's child() writes the
 * bindings into a new JSON prefix and sets up a logger object, about 450 bytes a reply. At the default
 * level (info) a request that goes well writes nothing, and one that fails writes at debug, so nearly
 * all of those children were never used. Lines that are written come out the same: the same pino child, made on first use, with
 * the same bindings (the request id).
 *
 * The root's own child() is replaced, rather than Fastify's childLoggerFactory option used: Fastify
 * checks the methods of every logger a custom factory returns, by name, and that cost all of the gain.
 */
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Record<string, unknown>;
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
/** pino's LogFn, as one signature its overloads accept (pino's own methods take exactly these). */
type LogArgs = [objOrMsg: unknown, msg?: string, ...args: unknown[]];
type Write = (...args: LogArgs) => void;

/** pino's standard levels; a level the table lacks (a custom one) counts as "on", and pino decides. */
const LEVEL_VALUES: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** pino's child(), called on the logger it makes a child of */
type MakeChild = (this: FastifyBaseLogger, bindings: Bindings, options?: ChildOptions) => FastifyBaseLogger;

export class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #makeChild: MakeChild;
  #child: FastifyBaseLogger | undefined;

  /** @param makeChild pino's own child() (the parent's child() is the lazy one) */
  constructor(parent: FastifyBaseLogger, bindings: Bindings, makeChild: MakeChild) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#makeChild = makeChild;
  }

  /** the pino child, made now if it was not made before */
  #logger(): FastifyBaseLogger {
    this.#child ??= this.#makeChild.call(this.#parent, this.#bindings);
    return this.#child;
  }

  #write(level: Level, args: LogArgs): void {
    // Until the child exists its level is the parent's, as a pino child inherits it when made.
    const threshold = LEVEL_VALUES[(this.#child ?? this.#parent).level] ?? 0;
    if ((LEVEL_VALUES[level] as number) < threshold) return;
    // pino's LogFn is a set of overloads, which a spread tuple cannot pick from; Write is what they share.
    (this.#logger()[level] as Write)(...args);
  }

  get level(): string {
    return (this.#child ?? this.#parent).level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  fatal(...args: LogArgs): void {
    this.#write('fatal', args);
  }

  error(...args: LogArgs): void {
    this.#write('error', args);
  }

  warn(...args: LogArgs): void {
    this.#write('warn', args);
  }

  info(...args: LogArgs): void {
    this.#write('info', args);
  }

  debug(...args: LogArgs): void {
    this.#write('debug', args);
  }

  trace(...args: LogArgs): void {
    this.#write('trace', args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}

/**
 * From now on, `root.child(bindings)` answers a LazyRequestLogger. A child with its own level or
 * serializers (a route's or a plugin's) is pino's at once: those options change how it writes, which
 * only pino knows.
 */
export function makeChildrenLazy(root: FastifyBaseLogger): void {
  const pinoChild: MakeChild = root.child;
  // A function of `this`, not of `root`: pino makes a child with Object.create(parent), so every pino
  // child inherits this method and must be the parent of its own children.
  root.child = function lazyChild(this: FastifyBaseLogger, bindings, options) {
    if (options !== undefined && (options.level !== undefined || options.serializers !== undefined)) return pinoChild.call(this, bindings, options);
    return new LazyRequestLogger(this, bindings, pinoChild);
  };
}
