import { gql } from "@urql/core";

/**
 * Shared GraphQL selections. Every document that carries these types selects them through
 * these fragments, so graphcache always receives complete entities and updates in place.
 */

export const GATE_FIELDS = gql`
  fragment GateFields on Gate {
    title
    description
    presentation
    decision {
      decision
      feedback
      patch
      decidedBy
      decidedAt
    }
  }
`;

/** A node's complete state: what NODE_STATE events carry (normalized by `Node.id`). */
export const NODE_FIELDS = gql`
  fragment NodeFields on Node {
    id
    runId
    key
    kind
    label
    status
    attempt
    needs
    progress
    output
    metrics
    cost
    error
    startedAt
    finishedAt
    durationMs
    dynamic
    parentKey
    gate {
      ...GateFields
    }
  }
  ${GATE_FIELDS}
`;

/** Every concrete event type's fields (SPEC §6). Typed as `RunEvent` in `types.ts`. */
export const RUN_EVENT_FIELDS = gql`
  fragment RunEventFields on RunEvent {
    __typename
    id
    seq
    runId
    at
    type
    ... on RunStatusEvent {
      status
      reason
      progress
    }
    ... on NodeStateEvent {
      node {
        ...NodeFields
      }
    }
    ... on EdgeActiveEvent {
      from
      to
    }
    ... on DagMutatedEvent {
      addedNodes {
        ...NodeFields
      }
      addedEdges {
        from
        to
      }
    }
    ... on CostUpdateEvent {
      spent
      budget
      remaining
      blockedNode
      nodeCost
    }
    ... on LogEvent {
      level
      message
      nodeKey
    }
    ... on GateWaitingEvent {
      node {
        ...NodeFields
      }
      gate {
        ...GateFields
      }
    }
    ... on GateDecidedEvent {
      node {
        ...NodeFields
      }
      decision {
        decision
        feedback
        patch
        decidedBy
        decidedAt
      }
    }
    ... on ResultsEvent {
      results {
        columns
        rows
      }
      offset
      total
    }
    ... on RunCompletedEvent {
      status
      nodesSucceeded
      nodesFailed
      durationMs
    }
    ... on ErrorEvent {
      message
      nodeKey
    }
  }
  ${NODE_FIELDS}
`;

/** What lists show of a run; `runsChanged` selects the same so rows update in place. */
export const RUN_LIST_FIELDS = gql`
  fragment RunListFields on Run {
    id
    label
    pipeline
    pipelineVersion
    status
    statusReason
    createdAt
    startedAt
    finishedAt
    durationMs
    progress
    cost {
      spent
      budget
      remaining
    }
    error
    lastSeq
  }
`;

export const RUN_EVENTS_SUBSCRIPTION = gql`
  subscription RunEvents($runId: ID!, $afterSeq: Int!) {
    runEvents(runId: $runId, afterSeq: $afterSeq) {
      ...RunEventFields
    }
  }
  ${RUN_EVENT_FIELDS}
`;

export const EVENTS_PAGE_QUERY = gql`
  query RunEventsPage($runId: ID!, $afterSeq: Int!, $first: Int!) {
    events(runId: $runId, afterSeq: $afterSeq, first: $first) {
      events {
        ...RunEventFields
      }
      nextSeq
      hasMore
    }
  }
  ${RUN_EVENT_FIELDS}
`;

export const RUNS_CHANGED_SUBSCRIPTION = gql`
  subscription RunsChanged($since: DateTime!) {
    runsChangedSince(since: $since) {
      ...RunListFields
    }
  }
  ${RUN_LIST_FIELDS}
`;
