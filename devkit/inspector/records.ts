/**
 * The records a user function's inspector feed sends (the runtime's `inspector/feed.ts` writes them): JSON lines,
 * each an object whose `t` names its kind. Read defensively: a record of another shape is counted and skipped.
 */

/** A payload: its type URL, its JSON where the runtime knew the type, its bytes in base64. */
export interface FeedPayload {
  readonly typeUrl: string;
  readonly json?: unknown;
  readonly base64: string;
}

/** The kinds of component. */
export type Kind = "event-sourced" | "value" | "crdt" | "action";

/** A forward's or side effect's target. */
export interface Target {
  readonly serviceName: string;
  readonly commandName: string;
  readonly synchronous?: boolean;
}

/** An event a command emitted. */
export interface EmittedRecord {
  readonly type: string;
  readonly event: unknown;
  readonly payload: FeedPayload;
  readonly state: unknown;
}

/** Every record kind. */
export type FeedRecord =
  | { readonly t: "hello"; readonly pid: number; readonly services: readonly { serviceName: string; kind: Kind }[] }
  | {
      readonly t: "entity";
      readonly stream: string;
      readonly kind: Exclude<Kind, "action">;
      readonly serviceName: string;
      readonly entityId: string;
      readonly snapshotSequence?: number;
      readonly fromStoredValue: boolean;
      readonly state: unknown;
      readonly at: number;
    }
  | {
      readonly t: "replayed";
      readonly stream: string;
      readonly sequence: number;
      readonly type: string;
      readonly event: unknown;
      readonly payload?: FeedPayload;
      readonly state: unknown;
    }
  | { readonly t: "recovered"; readonly stream: string; readonly eventsReplayed: number; readonly durationMs: number }
  | {
      readonly t: "command";
      readonly stream?: string;
      readonly command: string;
      readonly kind: Kind;
      readonly serviceName: string;
      readonly commandName: string;
      readonly commandId: string;
      readonly entityId: string;
      readonly streamed: boolean;
      readonly metadata: readonly { key: string; value: unknown }[];
      readonly request?: FeedPayload;
      readonly at: number;
    }
  | {
      readonly t: "completed";
      readonly command: string;
      readonly outcome: "reply" | "forward" | "no-reply" | "failure" | "error";
      readonly failure?: string;
      readonly reply?: FeedPayload;
      readonly forward?: Target;
      readonly sideEffects: readonly Target[];
      readonly events: readonly EmittedRecord[];
      readonly snapshot: boolean;
      readonly stateChange?: { action: "update" | "delete"; writeConsistency?: string };
      readonly answers?: number;
      readonly state: unknown;
      readonly durationMs: number;
      readonly at: number;
    }
  | { readonly t: "delta"; readonly stream: string; readonly crdtType: string; readonly state: unknown; at: number }
  | {
      readonly t: "subscription";
      readonly stream: string;
      readonly commandName: string;
      readonly commandId: string;
      readonly reason?: string;
      readonly at: number;
    }
  | { readonly t: "closed"; readonly stream: string; readonly failure?: string; readonly at: number }
  | {
      readonly t: "rebuilt";
      readonly serviceName: string;
      readonly entityId: string;
      readonly states: readonly { sequence: number; state: unknown }[];
      readonly failure?: string;
    }
  | { readonly t: "dropped"; readonly count: number };

const KINDS = new Set(["hello", "entity", "replayed", "recovered", "command", "completed", "delta", "subscription"]);
const MORE_KINDS = new Set(["closed", "rebuilt", "dropped"]);

/** A parsed line as a record, or undefined when it is not one. */
export function asRecord(value: unknown): FeedRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const t = (value as { t?: unknown }).t;
  return typeof t === "string" && (KINDS.has(t) || MORE_KINDS.has(t)) ? (value as FeedRecord) : undefined;
}
