/** A service being built into the model: where it is, and how its problems are reported. */
import type { DescService, FileRegistry } from "@bufbuild/protobuf";
import { leadingComment } from "../comments.js";
import type { CommandModel, MessageInfo, ServiceModelBase } from "../model.js";
import { moduleOf } from "../names.js";
import { resolveMessage } from "../type-resolution.js";

/** Where a service is, and how to report a problem with it. */
export interface ServiceSite {
  readonly service: DescService;
  readonly registry: FileRegistry;
  /** The prefix of every problem with the service, e.g. `orders.proto: service shop.Orders`. */
  readonly where: string;
  /** Problems found so far, in the order found; every builder appends to it. */
  readonly problems: string[];
}

/** The site of a service, with its problems added to `problems`. */
export function siteOf(service: DescService, registry: FileRegistry, problems: string[]): ServiceSite {
  return { service, registry, where: `${service.file.proto.name}: service ${service.typeName}`, problems };
}

/** Resolves a type named by an option from the service's package; `what` names it in the problem otherwise. */
export function resolveType(site: ServiceSite, reference: string, what: string): MessageInfo | undefined {
  const found = resolveMessage(site.registry, reference, site.service.file.proto.package);
  if (found === undefined) site.problems.push(`${site.where}: ${what} type "${reference}" does not exist`);
  return found;
}

/** What every kind's model has. */
export function baseOf(site: ServiceSite, commands: readonly CommandModel[]): ServiceModelBase {
  const { service } = site;
  return {
    file: service.file.proto.name,
    module: moduleOf(service.file.proto.name),
    name: service.name,
    fullName: service.typeName,
    comment: leadingComment(service),
    commands,
  };
}

/** A passivation timeout option: undefined when unset (zero). */
export function timeoutOf(ms: bigint): number | undefined {
  return ms === 0n ? undefined : Number(ms);
}
