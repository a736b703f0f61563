/**
 * The configuration checks every stateful kind's definer makes, so that a wiring mistake fails at start-up with the
 * service's name rather than on the first command.
 */
import type { MethodDefinition, ServiceDefinition } from "./service.js";

/**
 * Checks that every rpc of `service` has a command handler in `commands` and a shape the kind serves, and that every
 * handler has an rpc.
 * @param rule why an rpc the kind cannot serve is refused, e.g. "value entities serve unary rpcs only".
 * @throws Error naming the service, the rpc and the problem.
 */
export function checkCommandHandlers(
  service: ServiceDefinition,
  commands: { readonly [rpcName: string]: unknown },
  serves: (method: MethodDefinition) => boolean,
  rule: string,
): void {
  const methods = Object.values(service.methods);
  for (const method of methods) {
    if (!serves(method)) throw new Error(`${service.fullName}.${method.name}: ${rule}`);
    if (commands[method.name] === undefined)
      throw new Error(`${service.fullName}.${method.name} has no command handler`);
  }
  for (const name of Object.keys(commands)) {
    if (!methods.some((method) => method.name === name)) {
      throw new Error(`${service.fullName} has no rpc ${name}, but a command handler was given for it`);
    }
  }
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
