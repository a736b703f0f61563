/** The templates and what each one is made of. */

/** The template names `--template` accepts. */
export const TEMPLATE_NAMES = ["event-sourced", "value-entity", "crdt", "action"] as const;

/** One of {@link TEMPLATE_NAMES}. */
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** The default template. */
export const DEFAULT_TEMPLATE: TemplateName = "event-sourced";

/** Whether `name` is a template. */
export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/**
 * The folders under `templates/` a project is made of, later ones overriding earlier ones: files every project
 * has, the deployment for kinds that keep state in PostgreSQL or for those that need no store, then the kind's own.
 */
export function layersOf(template: TemplateName): readonly string[] {
  const stateful = template === "event-sourced" || template === "value-entity";
  return ["common", stateful ? "with-store" : "without-store", template];
}

/**
 * A service name is used as the npm package name, the Kubernetes resource names and label values, and the
 * container image name, so it must suit all of them: a DNS-1123 label of at most 40 characters (room for the
 * suffixes the manifests add, such as `-deployment` and `-store`).
 */
export const SERVICE_NAME = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** Why `name` is not a service name, or undefined if it is one. */
export function serviceNameProblem(name: string): string | undefined {
  if (SERVICE_NAME.test(name) && !name.includes("--")) return undefined;
  return (
    `"${name}" is not a valid service name: use 1 to 40 lowercase letters, digits and single hyphens, starting ` +
    `with a letter and not ending with a hyphen (it names the npm package, the Kubernetes resources and the ` +
    `container image), e.g. "my-service"; pass --name to choose one other than the folder's name`
  );
}

/** One sentence on what each template's service is, for its README. */
export const ABOUT: Readonly<Record<TemplateName, string>> = {
  "event-sourced":
    "It is a shopping cart: an event-sourced entity (`proto/cart/cart.proto`, `src/cart.ts`) whose events the proxy " +
    "keeps in its journal, served over gRPC and on HTTP/JSON routes (`google.api.http`).",
  "value-entity":
    "It is a counter: a value entity (`proto/counter/counter.proto`, `src/counter.ts`) whose state the proxy stores " +
    "whole after each change.",
  crdt:
    "It is a like counter: a CRDT entity (`proto/likes/likes.proto`, `src/likes.ts`), a grow-only counter that the " +
    "proxies of a cluster replicate and merge.",
  action:
    "It is a greeter: a stateless action (`proto/greeter/greeter.proto`, `src/greeter.ts`), with a unary and a " +
    "streamed rpc.",
};
