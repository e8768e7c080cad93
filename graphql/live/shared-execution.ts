import { createHash } from "node:crypto";
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  type FieldNode,
  getOperationAST,
  Kind,
  print,
  visit,
} from "graphql";
import { isAsyncIterable, type Plugin, type PromiseOrValue } from "graphql-yoga";
import { log } from "../../lib/log";
import { freshContext, type GraphQLContext } from "../context";
import { logResultErrors, maskError } from "../errors";
import { MappedIterator } from "./iterators";

/**
 * Executed results per live payload object and selection. Live sources (the run event
 * feed, the runs-changed hub) hand the *same* payload object to every subscriber in this
 * process, so the first subscriber executes and the rest reuse the result. Weakly keyed:
 * an entry lives exactly as long as the payload is still being delivered.
 */
const results = new WeakMap<object, Map<string, PromiseOrValue<ExecutionResult>>>();
const printed = new WeakMap<DocumentNode, string>();

/**
 * Envelop plugin: execute each live event once per (payload, selection, namespace), not
 * once per subscriber (SPEC §9). Behaves like graphql-js `subscribe` otherwise.
 */
export function sharedEventExecutionPlugin(): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(sharedSubscribe as never);
    },
  };
}

async function sharedSubscribe(args: ExecutionArgs) {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const key = selectionKey(args);
  const requestId = (args.contextValue as GraphQLContext).requestId;
  return new MappedIterator(
    source[Symbol.asyncIterator](),
    (payload: unknown) => executeOnce(args, payload, key),
    // A live source that fails (database gone mid-backlog…) ends the subscription with a
    // masked GraphQL error, instead of a transport-level failure carrying the raw message.
    (err: unknown) => {
      log.error({ err, requestId }, "live subscription source failed");
      return { errors: [maskError(err, requestId)] } as ExecutionResult;
    },
  );
}

function executeOnce(args: ExecutionArgs, payload: unknown, key: string) {
  // Runs once per subscriber and event: no closure here (tsx names each one it creates).
  if (payload === null || typeof payload !== "object") return executeFresh(args, payload);
  let byKey = results.get(payload);
  if (!byKey) {
    byKey = new Map();
    results.set(payload, byKey);
  }
  let result = byKey.get(key);
  if (!result) {
    result = executeFresh(args, payload);
    byKey.set(key, result);
  }
  return result;
}

function executeFresh(args: ExecutionArgs, payload: unknown): PromiseOrValue<ExecutionResult> {
  const result = execute({
    ...args,
    rootValue: payload,
    contextValue: freshContext(args.contextValue as GraphQLContext),
  });
  // Logged here, with the first subscriber's request id: the result is shared.
  if (result instanceof Promise) return result.then(logged(args));
  logResultErrors(result, args.contextValue);
  return result;
}

const logged = (args: ExecutionArgs) => (result: ExecutionResult) => {
  logResultErrors(result, args.contextValue);
  return result;
};

/**
 * What makes two subscriptions' per-event results identical: the document, operation,
 * the variables the selection uses, and the namespace (so results never cross tenants).
 * Variables used only in the root field's arguments (`runId`, `afterSeq`, `types`) pick the
 * stream, not the shape of each event, so they are left out — clients resuming from
 * different seqs still share.
 */
function selectionKey(args: ExecutionArgs): string {
  let text = printed.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    printed.set(args.document, text);
  }
  const vars = (args.variableValues ?? {}) as Record<string, unknown>;
  const kept = [...selectionVariables(args)].filter((v) => v in vars).sort();
  const namespace = (args.contextValue as GraphQLContext).viewer?.namespace ?? "";
  return createHash("sha1")
    .update(`${namespace}\0${args.operationName ?? ""}\0${text}\0`)
    .update(JSON.stringify(kept.map((v) => [v, vars[v]])))
    .digest("base64url");
}

/** Names of variables referenced anywhere except the root field's own arguments. */
function selectionVariables(args: ExecutionArgs): Set<string> {
  const op = getOperationAST(args.document, args.operationName);
  const root = op?.selectionSet.selections[0];
  const rootArgs = root?.kind === Kind.FIELD ? (root as FieldNode).arguments : undefined;
  const names = new Set<string>();
  visit(args.document, {
    Argument(node) {
      // Skip the root field's arguments only; nested arguments shape the result.
      if (rootArgs?.includes(node)) return false;
      return undefined;
    },
    Variable(node) {
      names.add(node.name.value);
    },
    VariableDefinition() {
      return false; // declarations are not uses
    },
  });
  return names;
}
