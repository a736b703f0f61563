// The like counter's logic: each command changes the CRDT through its methods; the change goes to the proxy as
// a delta with the reply.
import { likesEntity, type LikesHandlers } from "../gen/likes/likes_cloudstate.js";

export const likesHandlers: LikesHandlers = {
  like(command, context) {
    if (command.by.isNegative()) context.fail(`Cannot take likes away (by ${command.by.toString()})`);
    context.state.increment(command.by);
    return { likes: context.state.value };
  },

  getLikes: (_command, context) => ({ likes: context.state.value }),
};

export const likes = likesEntity(likesHandlers);
