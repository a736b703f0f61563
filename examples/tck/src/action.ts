/**
 * The TCK's action models (cloudstate/tck/model/action.proto). Every shape turns each group of steps into one
 * answer: a reply, a forward, a failure or no reply, later steps replacing earlier ones, with the group's side
 * effects. Unary and streamed-in calls fold every group into one answer; streamed-out calls answer per group.
 */
import { methodOf, type ActionAnswer } from "cloudstate-ts";
import {
  ActionTwoDefinition,
  type ProcessGroup,
  type Request,
  type Response,
} from "../gen/cloudstate/tck/model/action.js";
import {
  actionTckModelAction,
  actionTwoAction,
  type ActionTckModelContext,
} from "../gen/cloudstate/tck/model/action_cloudstate.js";

const serviceTwoCall = methodOf(ActionTwoDefinition, "call");

/**
 * The answer to one group, undefined for none; its side effects are registered on the context, so they go with
 * the next answer sent.
 */
function answerTo(group: ProcessGroup, context: ActionTckModelContext): ActionAnswer<Response> | undefined {
  let answer: ActionAnswer<Response> | undefined;
  for (const { step } of group.steps) {
    switch (step?.$case) {
      case "reply":
        answer = { message: step.value.message };
        break;
      case "forward":
        answer = context.forward(serviceTwoCall, { id: step.value.id });
        break;
      case "fail":
        answer = context.failure(step.value.message);
        break;
      case "effect":
        context.effect(serviceTwoCall, { id: step.value.id }, { synchronous: step.value.synchronous });
    }
  }
  return answer;
}

/** One answer per group of every request, in order. */
async function* answersTo(
  requests: AsyncIterable<Request> | Iterable<Request>,
  context: ActionTckModelContext,
): AsyncGenerator<ActionAnswer<Response>> {
  for await (const request of requests) {
    for (const group of request.groups) yield answerTo(group, context) ?? context.noReply();
  }
}

/** The last answer of all the groups; the side effects of every group go with it. */
async function lastAnswerOf(
  requests: AsyncIterable<Request> | Iterable<Request>,
  context: ActionTckModelContext,
): Promise<ActionAnswer<Response>> {
  let last: ActionAnswer<Response> | undefined;
  for await (const request of requests) {
    for (const group of request.groups) last = answerTo(group, context) ?? last;
  }
  return last ?? context.noReply();
}

/** The action the TCK checks message by message. */
export const actionTckModel = actionTckModelAction({
  processUnary: (request, context) => lastAnswerOf([request], context),
  processStreamedIn: (requests, context) => lastAnswerOf(requests, context),
  processStreamedOut: (request, context) => answersTo([request], context),
  processStreamed: (requests, context) => answersTo(requests, context),
});

/** Only the target of forwards and side effects. */
export const actionTwo = actionTwoAction({
  call: () => ({ message: "" }),
});
