/** The chat service's handlers: one small CRDT entity per concern. */
import type Long from "long";
import type { Vote } from "cloudstate-ts";
import type { Friend, FriendList, PresenceStatus, Reactions } from "../gen/com/example/chat/chat.js";
import {
  friendsEntity,
  messagesEntity,
  presenceEntity,
  roomClosedEntity,
  roomReactionsEntity,
  roomTopicEntity,
  roomVisitorsEntity,
  unreadEntity,
  type FriendsHandlers,
  type FriendsState,
  type MessagesHandlers,
  type PresenceHandlers,
  type RoomClosedHandlers,
  type RoomReactionsHandlers,
  type RoomReactionsState,
  type RoomTopicHandlers,
  type RoomVisitorsHandlers,
  type UnreadHandlers,
} from "../gen/com/example/chat/chat_cloudstate.js";

function friendList(friends: FriendsState): FriendList {
  const sorted = [...friends].sort((a, b) => a.userId.localeCompare(b.userId));
  return { $type: "com.example.chat.FriendList", friends: sorted };
}

export const friendsHandlers: FriendsHandlers = {
  add(command, context) {
    const friend = command.friend;
    if (friend === undefined || friend.userId === "") return context.fail("A friend needs a user id");
    if (friend.userId === command.userId) context.fail("Users cannot befriend themselves");
    context.state.add(friend);
    return friendList(context.state);
  },
  remove(command, context) {
    // Friends compare by value: the one to remove is found by its id, whatever the name stored with it.
    const friend: Friend | undefined = [...context.state].find((f) => f.userId === command.friend?.userId);
    if (friend !== undefined) context.state.delete(friend);
    return friendList(context.state);
  },
  list: (_command, context) => friendList(context.state),
  forget(_command, context) {
    context.delete();
    return {};
  },
};

/** Open Connect calls per user on this node: the node votes "online" while it has any. */
const openConnections = new Map<string, number>();

function status(vote: Vote): PresenceStatus {
  return { $type: "com.example.chat.PresenceStatus", online: vote.atLeastOne, nodes: vote.votesFor };
}

export const presenceHandlers: PresenceHandlers = {
  connect(command, context) {
    if (!context.streamed) context.fail("Connect must be called as a stream");
    openConnections.set(command.userId, (openConnections.get(command.userId) ?? 0) + 1);
    context.state.vote(true);
    context.onCancel((cancelled) => {
      const left = (openConnections.get(command.userId) ?? 1) - 1;
      if (left > 0) openConnections.set(command.userId, left);
      else {
        openConnections.delete(command.userId);
        cancelled.state.vote(false);
      }
    });
    return status(context.state);
  },
  monitor(_command, context) {
    if (context.streamed) {
      let last = JSON.stringify(status(context.state));
      context.onChange((subscription) => {
        const next = status(subscription.state);
        // Only a change of what the client sees is worth a message.
        if (JSON.stringify(next) === last) return undefined;
        last = JSON.stringify(next);
        return next;
      });
    }
    return status(context.state);
  },
};

export const messagesHandlers: MessagesHandlers = {
  posted(_command, context) {
    context.state.increment(1);
    return { value: context.state.value.toSigned() };
  },
  get: (_command, context) => ({ value: context.state.value.toSigned() }),
};

export const unreadHandlers: UnreadHandlers = {
  change(command, context) {
    if (context.state.value.add(command.change).isNegative()) context.fail("Cannot read more messages than are unread");
    context.state.increment(command.change);
    return { value: context.state.value };
  },
};

export const roomVisitorsHandlers: RoomVisitorsHandlers = {
  visit(command, context) {
    context.state.add(command.userId);
    return { userIds: [...context.state].sort() };
  },
};

export const roomTopicHandlers: RoomTopicHandlers = {
  set(command, context) {
    if (command.topic === undefined) return context.fail("A topic is needed");
    context.state.set(command.topic);
    return context.state.value;
  },
  get: (_command, context) => context.state.value,
};

export const roomClosedHandlers: RoomClosedHandlers = {
  close(_command, context) {
    context.state.enable();
    return { closed: true };
  },
  get: (_command, context) => ({ closed: context.state.enabled }),
};

function reactions(map: RoomReactionsState): Reactions {
  const counts: { [emoji: string]: Long } = {};
  for (const [emoji, count] of [...map].sort(([a], [b]) => a.localeCompare(b))) counts[emoji] = count.value.toSigned();
  return { $type: "com.example.chat.Reactions", counts };
}

export const roomReactionsHandlers: RoomReactionsHandlers = {
  react(command, context) {
    if (command.emoji === "") context.fail("An emoji is needed");
    context.state.getOrCreate(command.emoji).increment(1);
    return reactions(context.state);
  },
  clear(_command, context) {
    context.state.clear();
    context.writeConsistency = "majority";
    return reactions(context.state);
  },
};

/** Every entity of the chat service. */
export const chatEntities = [
  friendsEntity(friendsHandlers),
  presenceEntity(presenceHandlers),
  messagesEntity(messagesHandlers),
  unreadEntity(unreadHandlers),
  roomVisitorsEntity(roomVisitorsHandlers),
  roomTopicEntity(roomTopicHandlers),
  roomClosedEntity(roomClosedHandlers),
  roomReactionsEntity(roomReactionsHandlers),
];
