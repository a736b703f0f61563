/**
 * The types a defined entity was made from (its service definition, state and events), carried at the type level
 * only, so the testkit can type calls by rpc without the user naming them again.
 */
declare const entityTypes: unique symbol;

/** Carries `T` at the type level; the property never exists at run time. */
export interface Typed<T> {
  /** The types, for the compiler only: declared optional and never set, so it costs nothing at run time. */
  readonly [entityTypes]?: T;
}

/** The types an entity carries (see {@link Typed}). */
export type TypesOf<E> = E extends Typed<infer T> ? T : never;
