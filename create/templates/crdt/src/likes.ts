// The like counter's logic: each command changes the CRDT through its methods; the change goes to the proxy as
// a delta with the reply.
import type Long from "long";
import { likesEntity, type LikesHandlers } from "../gen/likes/likes_cloudstate.js";

/** Why `by` likes cannot be added, or undefined when they can: a grow-only counter never goes down. */
export function likeProblem(by: Long): string | undefined {
  return by.isNegative() ? `Cannot take likes away (by ${by.toString()})` : undefined;
}

export const likesHandlers: LikesHandlers = {
  like(command, context) {
    const problem = likeProblem(command.by);
    if (problem !== undefined) context.fail(problem);
    context.state.increment(command.by);
    return { likes: context.state.value };
  },

  getLikes: (_command, context) => ({ likes: context.state.value }),
};

export const likes = likesEntity(likesHandlers);
