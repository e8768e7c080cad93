import type { Db } from "../db/client";
import type { RunNode } from "../db/generated/client";
import { DomainError, notFound } from "../errors";
import { assertPayloadSize } from "../limits";
import { advanceRun, setNode } from "./advance";
import { configOf } from "./node-config";
import { fence, type LeaseRef } from "./report";
import { type RunTx, withRun } from "./run-tx";
import { type GateDecisionSnapshot, type GateState, nodeSnapshot } from "./snapshot";

type Decision = "APPROVE" | "REJECT" | "MODIFY";

/** A claimed gate stops holding a worker: it WAITs for a human (or its timeout). */
export async function enterWaiting(db: Db, ref: LeaseRef, presentation: unknown): Promise<void> {
  assertPayloadSize(presentation, "the gate's presented value");
  await withRun(db, ref.runId, async (c) => {
    const node = await fence(c, ref);
    const cfg = configOf(node, "gate");
    const gate: GateState = {
      title: cfg.title,
      description: cfg.description ?? null,
      presentation: presentation ?? null,
      decision: null,
    };
    const waiting = await setNode(c, node.id, {
      status: "WAITING",
      gate: gate as object,
      leaseExpiresAt: null,
      leaseOwner: null,
      deadlineAt: cfg.timeoutMs ? new Date(Date.now() + cfg.timeoutMs) : null,
    });
    c.emit("GATE_WAITING", { node: nodeSnapshot(waiting), gate });
  });
}

export interface DecideInput {
  runId: string;
  nodeKey: string;
  decision: Decision;
  feedback?: string | null;
  patch?: unknown;
  idempotencyKey?: string | null;
  decidedBy: string;
}

/**
 * A human decision on a WAITING gate (SPEC §4). APPROVE → SUCCEEDED with the presented
 * value; MODIFY → SUCCEEDED with `patch`; REJECT → FAILED with the feedback. Idempotent by
 * `idempotencyKey` (a retry returns the node as decided); a different second decision
 * is a CONFLICT. Audited in `gate_decisions`.
 */
export async function decideGate(db: Db, input: DecideInput): Promise<RunNode> {
  assertPayloadSize(input.patch ?? null, "the patch");
  assertPayloadSize(input.feedback ?? null, "the feedback");
  return withRun(db, input.runId, async (c) => {
    const node = await c.tx.runNode.findUnique({ where: { runId_key: { runId: input.runId, key: input.nodeKey } } });
    if (node?.kind !== "gate") throw notFound("gate");
    const prior = await c.tx.gateDecision.findUnique({
      where: { runId_nodeKey: { runId: input.runId, nodeKey: input.nodeKey } },
    });
    if (prior) {
      const same = input.idempotencyKey
        ? prior.idempotencyKey === input.idempotencyKey
        : prior.decision === input.decision && prior.feedback === (input.feedback ?? null);
      if (same) return node;
      throw new DomainError(
        "CONFLICT",
        `gate ${input.nodeKey} was already decided (${prior.decision}) by ${prior.decidedBy}`,
      );
    }
    if (node.status !== "WAITING") {
      throw new DomainError("INVALID_TRANSITION", `gate ${input.nodeKey} is ${node.status}, not WAITING`);
    }
    if (input.decision === "MODIFY" && input.patch === undefined) {
      throw new DomainError("BAD_INPUT", "MODIFY needs a patch");
    }
    return applyDecision(c, node, input);
  });
}

async function applyDecision(c: RunTx, node: RunNode, input: DecideInput): Promise<RunNode> {
  const decidedAt = new Date();
  await c.tx.gateDecision.create({
    data: {
      runId: input.runId,
      nodeKey: input.nodeKey,
      decision: input.decision,
      feedback: input.feedback ?? null,
      patch: (input.patch ?? undefined) as object | undefined,
      decidedBy: input.decidedBy,
      decidedAt,
      idempotencyKey: input.idempotencyKey ?? null,
    },
  });
  const gate = node.gate as unknown as GateState;
  const decision: GateDecisionSnapshot = {
    decision: input.decision,
    feedback: input.feedback ?? null,
    patch: input.patch ?? null,
    decidedBy: input.decidedBy,
    decidedAt: decidedAt.toISOString(),
  };
  const rejected = input.decision === "REJECT";
  const output = input.decision === "MODIFY" ? input.patch : gate.presentation;
  const decided = await setNode(c, node.id, {
    status: rejected ? "FAILED" : "SUCCEEDED",
    output: rejected ? undefined : ((output ?? null) as object),
    error: rejected ? `rejected: ${input.feedback || "no feedback"}` : null,
    gate: { ...gate, decision } as object,
    finishedAt: decidedAt,
    progress: 1,
    deadlineAt: null,
  });
  c.emit("GATE_DECIDED", { node: nodeSnapshot(decided), decision });
  await advanceRun(c);
  return decided;
}

/** Apply `onTimeout` to gates whose `timeoutMs` passed. */
export async function expireGates(db: Db): Promise<number> {
  const due = await db.runNode.findMany({
    where: { status: "WAITING", deadlineAt: { lte: new Date() } },
    select: { runId: true, key: true, config: true },
    take: 100,
  });
  for (const g of due) {
    const onTimeout = configOf(g, "gate").onTimeout ?? "reject";
    await decideGate(db, {
      runId: g.runId,
      nodeKey: g.key,
      decision: onTimeout === "approve" ? "APPROVE" : "REJECT",
      feedback: "gate timed out",
      decidedBy: "system:timeout",
      idempotencyKey: "timeout",
    }).catch(() => {}); // decided concurrently by a human: fine
  }
  return due.length;
}
