import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { MAX_SCHEDULES } from "../../lib/schedules/schedules";

/** Most an operation may cost (README "Security and limits"). */
export const MAX_QUERY_COST = 100_000;
/**
 * Most a subscription's selection may cost: it runs again for every event, so a run's
 * 1,000 nodes under each event's `node { run { nodes } }` would multiply every event.
 */
const MAX_SUBSCRIPTION_COST = 1_000;

/** Lists whose size is bounded but not chosen by an argument: their largest size. */
const FIXED_SIZES: Record<string, number> = {
  "Query.gates": 500,
  "Query.schedules": MAX_SCHEDULES,
  // Dependencies of all of a run's nodes: as many as its nodes, give or take.
  "Run.edges": 1_000,
  // MAX_WEBHOOKS_PER_NAMESPACE, MAX_ATTEMPTS_SHOWN (lib/webhooks).
  "Query.webhooks": 50,
  "WebhookDelivery.attemptLog": 20,
};

/** Root fields that return one run: the only places a run's `events` / `results` / `spec` may be read. */
const SINGLE_RUN_ROOTS = new Set([
  "Query.run",
  "Mutation.submitRun",
  "Mutation.cancelRun",
  "Mutation.pauseRun",
  "Mutation.resumeRun",
  "Mutation.setBudget",
  "Mutation.rerunRun",
]);
/** Run fields that read a page, a table or up to 1 MiB per run: never once per run of a list. */
const SINGLE_RUN_FIELDS: Record<string, string> = {
  events: "events are",
  results: "results are",
  metricPoints: "metric points are",
  spec: "spec is",
};

const refused = (message: string) =>
  createGraphQLError(message, { extensions: { code: "BAD_INPUT", http: { status: 400 } } });

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  memo: Map<string, number>;
  visiting: Set<string>;
}

/**
 * The cost of an operation with its variables, as an upper bound on the values it can
 * return: a leaf is 1, an object field 1 + its selection, times its list size — the
 * `first` argument (or its default) of paginated fields, the bound of fixed-size lists,
 * 1 otherwise. The fragments of an interface (events) count the costliest type, since an
 * item is of one type. Throws BAD_INPUT for `events` / `results` of a run that is not
 * the root `run(id)` (or a mutation's one run): `runs { nodes { events } }` would read a
 * page of events per run.
 */
function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  inputs: Record<string, unknown> | null | undefined,
): number {
  const op = getOperationAST(document, operationName);
  if (!op) return 0;
  const vars = getVariableValues(schema, op.variableDefinitions ?? [], inputs ?? {});
  // Bad variables fail at execution with graphql's own message; count their defaults here.
  const variables = "coerced" in vars && vars.coerced ? vars.coerced : {};
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const root = schema.getRootType(op.operation);
  if (!root) return 0;
  return selectionCost({ schema, fragments, variables, memo: new Map(), visiting: new Set() }, root, op.selectionSet, {
    singleRun: false,
    root: true,
  });
}

interface Scope {
  /** The current run (if any) is the one run of a root field. */
  singleRun: boolean;
  /** Selecting fields of the root type. */
  root: boolean;
}

function selectionCost(w: Walk, parent: GraphQLCompositeType, set: SelectionSetNode, scope: Scope): number {
  let total = 0;
  const perType = new Map<string, number>();
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      total += fieldCost(w, parent, sel, scope);
      continue;
    }
    let cost: number;
    let cond: GraphQLCompositeType = parent;
    if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (sel.typeCondition) cond = (w.schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType) ?? parent;
      if (!isCompositeType(cond)) continue;
      cost = selectionCost(w, cond, sel.selectionSet, scope);
    } else {
      const frag = w.fragments[sel.name.value];
      if (!frag) continue;
      const t = w.schema.getType(frag.typeCondition.name.value);
      if (!t || !isCompositeType(t)) continue;
      cond = t;
      const key = `${frag.name.value}:${parent.name}:${scope.singleRun}:${scope.root}`;
      const known = w.memo.get(key);
      if (known !== undefined) cost = known;
      else {
        if (w.visiting.has(frag.name.value)) continue; // a cycle: validation refuses it
        w.visiting.add(frag.name.value);
        cost = selectionCost(w, cond, frag.selectionSet, scope);
        w.visiting.delete(frag.name.value);
        w.memo.set(key, cost);
      }
    }
    // On an interface, fragments on different object types are alternatives: keep the costliest.
    if (isAbstractType(parent) && isObjectType(cond) && cond.name !== parent.name) {
      perType.set(cond.name, (perType.get(cond.name) ?? 0) + cost);
    } else {
      total += cost;
    }
  }
  let alternatives = 0;
  for (const c of perType.values()) alternatives = Math.max(alternatives, c);
  return total + alternatives;
}

function fieldCost(w: Walk, parent: GraphQLCompositeType, node: FieldNode, scope: Scope): number {
  const name = node.name.value;
  if (name.startsWith("__")) return 0; // __typename, and introspection (authenticated callers only)
  const def =
    isObjectType(parent) || isInterfaceType(parent)
      ? (parent.getFields()[name] as GraphQLField<unknown, unknown> | undefined)
      : undefined;
  if (!def) return 1; // unknown: validation already said so
  const coord = `${parent.name}.${name}`;
  if (parent.name === "Run" && Object.hasOwn(SINGLE_RUN_FIELDS, name) && !scope.singleRun) {
    throw refused(`${SINGLE_RUN_FIELDS[name]} only available on run(id)`);
  }
  const type = getNamedType(def.type);
  if (!node.selectionSet || !isCompositeType(type)) return 1;
  const inner = selectionCost(w, type, node.selectionSet, {
    singleRun: type.name === "Run" ? scope.root && SINGLE_RUN_ROOTS.has(coord) : scope.singleRun,
    root: false,
  });
  return listSize(w, coord, def, node) * (1 + inner);
}

function listSize(w: Walk, coord: string, def: GraphQLField<unknown, unknown>, node: FieldNode): number {
  const fixed = FIXED_SIZES[coord];
  if (fixed) return fixed;
  if (!def.args.some((a) => a.name === "first")) return 1;
  let first: unknown;
  try {
    const args = getArgumentValues(def, node, w.variables);
    // `Run.events(last:)` pages by `last` instead.
    first = typeof args.last === "number" ? args.last : args.first;
  } catch {
    return 1; // a bad argument fails at execution
  }
  return typeof first === "number" && Number.isFinite(first) ? Math.max(1, first) : 1;
}

/**
 * Refuse an operation whose cost is over MAX_QUERY_COST before anything executes, on
 * every transport (yoga's execute / subscribe, which graphql-ws and graphql-sse call too).
 * Not a validation rule: the cost depends on the variables (`first: $n`), and yoga caches
 * validation by document.
 */
export function costLimitPlugin(maxCost = MAX_QUERY_COST): Plugin {
  const check = (
    args: {
      schema: GraphQLSchema;
      document: DocumentNode;
      operationName?: string | null;
      variableValues?: Record<string, unknown> | null;
    },
    stop: (result: { errors: GraphQLError[] }) => void,
    subscription: boolean,
  ) => {
    let cost: number;
    try {
      cost = operationCost(args.schema, args.document, args.operationName, args.variableValues);
    } catch (err) {
      if (err instanceof GraphQLError) return stop({ errors: [err] });
      throw err;
    }
    if (subscription && cost > Math.min(maxCost, MAX_SUBSCRIPTION_COST)) {
      stop({
        errors: [
          refused(
            `Subscription cost limit of ${Math.min(maxCost, MAX_SUBSCRIPTION_COST)} per event exceeded, found ${Math.ceil(cost)}: select less per event (no lists of a run's nodes)`,
          ),
        ],
      });
    } else if (cost > maxCost) {
      stop({
        errors: [
          refused(
            `Query Cost limit of ${maxCost} exceeded, found ${Math.ceil(cost)}: lists count as many times as their \`first\` (ask for fewer items or fields, and page)`,
          ),
        ],
      });
    }
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => check(args, setResultAndStopExecution, false),
    onSubscribe: ({ args, setResultAndStopExecution }) => check(args, setResultAndStopExecution, true),
  };
}
