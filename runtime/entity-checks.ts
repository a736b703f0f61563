/**
 * The configuration checks every stateful kind's definer makes, so that a wiring mistake fails at start-up with the
 * service's name rather than on the first command.
 */
import type { MethodDefinition, ServiceDefinition } from "./service.js";

/** What a kind's definer checks of each rpc and its handler. @internal */
export interface HandlerRules<Handler> {
  /** What a handler is called in messages: "command handler" for entities, "handler" for actions. */
  readonly noun: string;
  /** Why the kind cannot serve an rpc of this shape (e.g. "value entities serve unary rpcs only"), or undefined. */
  readonly refuse?: (method: MethodDefinition) => string | undefined;
  /** What is wrong with a handler for its rpc, said after the rpc's name, or undefined. */
  readonly mismatch?: (method: MethodDefinition, handler: Handler) => string | undefined;
}

/**
 * Checks that every rpc of `service` is one the kind serves and has a fitting handler in `handlers`, and that
 * every handler has an rpc.
 * @throws Error naming the service, the rpc and the problem.
 */
export function checkHandlers<Handler>(
  service: ServiceDefinition,
  handlers: { readonly [rpcName: string]: Handler | undefined },
  rules: HandlerRules<Handler>,
): void {
  const methods = Object.values(service.methods);
  for (const method of methods) {
    const refused = rules.refuse?.(method);
    if (refused !== undefined) throw new Error(`${service.fullName}.${method.name}: ${refused}`);
    const handler = handlers[method.name];
    if (handler === undefined) throw new Error(`${service.fullName}.${method.name} has no ${rules.noun}`);
    const mismatch = rules.mismatch?.(method, handler);
    if (mismatch !== undefined) throw new Error(`${service.fullName}.${method.name} ${mismatch}`);
  }
  for (const name of Object.keys(handlers)) {
    if (!methods.some((method) => method.name === name)) {
      throw new Error(`${service.fullName} has no rpc ${name}, but a ${rules.noun} was given for it`);
    }
  }
}

/**
 * Checks a stateful kind's command handlers: every rpc has one and a shape the kind serves, every one has an rpc.
 * @param rule why an rpc the kind cannot serve is refused, e.g. "value entities serve unary rpcs only".
 * @throws Error naming the service, the rpc and the problem.
 */
export function checkCommandHandlers(
  service: ServiceDefinition,
  commands: { readonly [rpcName: string]: unknown },
  serves: (method: MethodDefinition) => boolean,
  rule: string,
): void {
  checkHandlers(service, commands, {
    noun: "command handler",
    refuse: (method) => (serves(method) ? undefined : rule),
  });
}

/**
 * Checks a passivation timeout: unset (the proxy's default) or a whole number of milliseconds above 0.
 * @throws Error naming the service and the value.
 */
export function checkPassivationTimeout(serviceName: string, timeout: number | undefined): void {
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout <= 0)) {
    throw new Error(`${serviceName}: passivationTimeoutMs must be a whole number > 0, got ${timeout}`);
  }
}

/** Unary rpcs only, as event-sourced and value entities serve. */
export const isUnary = (method: MethodDefinition): boolean => !method.requestStream && !method.responseStream;
