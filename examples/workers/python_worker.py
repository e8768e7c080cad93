#!/usr/bin/env python3
"""A Signalbox external worker: Python 3, standard library only, GraphQL over HTTP.

    python3 python_worker.py --url URL --token TOKEN --queue Q [--concurrency N]

It leases the `external` nodes of queue Q and runs each with `handle()` below: replace that
function with your own work. The protocol (graphql/schema/workers.graphql):

  claimNode(waitMs)        long-poll: answered as soon as work is ready, else null after
                           waitMs, so an idle worker sends one request per 25 s
  heartbeatNode            every leaseMs/3 from a thread; LEASE_LOST means stop the job (the
                           run was cancelled, or the lease expired and went to another worker)
  reportNode               logs, progress, cost, metrics and result rows
  completeNode / failNode  the handler's return value / the message of what it raised
  releaseNode              give an unfinished lease back when shutting down

URL and token may also come from SIGNALBOX_URL / SIGNALBOX_TOKEN. SIGTERM or SIGINT: stop
claiming, give running jobs --grace seconds to finish, release the rest, exit 0 (a second
signal releases at once). A refused token exits 4 with one sentence on stderr.
"""
import argparse, json, os, random, signal, socket, sys, threading, time
import urllib.error, urllib.request

WAIT_MS = 25_000  # how long one idle claim is held by the server (it allows up to 30 s)
TRANSIENT = {"UNREACHABLE", "SERVICE_UNAVAILABLE", "RATE_LIMITED", "INTERNAL_SERVER_ERROR"}
FATAL = {  # retrying cannot help: exit with one sentence
    "UNAUTHENTICATED": "the server did not accept the token; pass a valid one with --token or SIGNALBOX_TOKEN",
    "FORBIDDEN": "the token may not run workers (it needs the OPERATOR role); use an operator token",
}

CLAIM = """mutation($queue: String!, $leaseMs: Int, $worker: String, $waitMs: Int) {
  claimNode(queue: $queue, leaseMs: $leaseMs, worker: $worker, waitMs: $waitMs) {
    runId nodeId nodeKey epoch attempt input leaseMs } }"""
HEARTBEAT = """mutation($nodeId: ID!, $epoch: Int!, $leaseMs: Int) {
  heartbeatNode(nodeId: $nodeId, epoch: $epoch, leaseMs: $leaseMs) }"""
REPORT = "mutation($input: NodeReportInput!) { reportNode(input: $input) }"
COMPLETE = """mutation($nodeId: ID!, $epoch: Int!, $output: JSON) {
  completeNode(nodeId: $nodeId, epoch: $epoch, output: $output) { status } }"""
FAIL = """mutation($nodeId: ID!, $epoch: Int!, $error: String!) {
  failNode(nodeId: $nodeId, epoch: $epoch, error: $error) { status } }"""
RELEASE = """mutation($nodeId: ID!, $epoch: Int!, $reason: String) {
  releaseNode(nodeId: $nodeId, epoch: $epoch, reason: $reason) { status } }"""


def handle(job):
    """The example "score" job -- replace this function with your own work.

    `job.input` is the node's `with.input` (a JSON object), e.g. {"rows": 3}. Report as you
    go with job.log / job.cost / job.metric / job.result (buffered) and job.progress (sends
    the buffer); return the node's output (any JSON value), or raise to fail the node with
    the exception's message. Long work calls job.sleep() or job.check() often: they raise
    Stopped once the run is cancelled, the lease is lost or the worker shuts down.
    """
    rows = int(job.input.get("rows", 3))
    pause = float(job.input.get("sleep", 0)) / max(rows, 1)  # seconds per row, for slow demo jobs
    job.log(f"scoring {rows} rows (attempt {job.attempt})")
    if job.input.get("fail"):
        raise RuntimeError(f"score failed: {job.input.get('reason', 'the input asked to fail')}")
    scores = []
    for i in range(rows):
        job.sleep(pause)
        scores.append(round((i + 1) / rows, 3))
        job.result({"node": job.key, "row": i, "score": scores[-1]})
        job.cost(0.01)
        job.progress((i + 1) / rows)
    mean = round(sum(scores) / rows, 4) if rows else 0.0
    job.metric("mean_score", mean)
    job.log(f"mean score {mean:g}")
    return {"node": job.key, "rows": rows, "mean": mean}


def say(message):
    print(f"{time.strftime('%H:%M:%S')} python-worker: {message}", file=sys.stderr, flush=True)


def backoff(failures):
    """0.5 s, 1 s, 2 s … 30 s, with jitter so many workers do not retry in step."""
    return min(30.0, 0.5 * 2.0 ** failures) * random.uniform(0.5, 1.0)


class GraphQLError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class Stopped(Exception):
    """Raised inside the handler when its job must stop; the message says why."""


class Client:
    """POST one operation to <url>/api/graphql; every failure becomes GraphQLError(code)."""

    def __init__(self, url, token):
        self.endpoint, self.token = url.rstrip("/") + "/api/graphql", token

    def call(self, query, variables, timeout=30.0, tries=1):
        """Run one operation; with tries > 1, transient errors are retried with backoff."""
        for failures in range(tries):
            try:
                return self.post(query, variables, timeout)
            except GraphQLError as e:
                if e.code not in TRANSIENT or failures == tries - 1:
                    raise
                say(f"{e.code} ({e}); retrying")
                time.sleep(backoff(failures))

    def post(self, query, variables, timeout):
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = urllib.request.Request(self.endpoint, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}",
            "Accept": "application/graphql-response+json, application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                reply = json.load(response)
        except urllib.error.HTTPError as e:  # 401, 429, 503 … still carry a GraphQL body
            try:
                reply = json.load(e)
            except ValueError:
                code = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 429: "RATE_LIMITED"}.get(e.code)
                raise GraphQLError(code or "SERVICE_UNAVAILABLE", f"HTTP {e.code}") from None
        except (OSError, ValueError) as e:  # refused, reset, timed out, not JSON
            raise GraphQLError("UNREACHABLE", f"{self.endpoint}: {getattr(e, 'reason', e)}") from None
        if reply.get("errors"):
            error = reply["errors"][0]
            raise GraphQLError((error.get("extensions") or {}).get("code", "ERROR"), error.get("message", ""))
        return reply["data"]


class Job:
    """One leased node, as the handler sees it."""

    def __init__(self, client, lease):
        self.client, self.lease = client, lease
        self.input = lease["input"] if isinstance(lease.get("input"), dict) else {}
        self.key, self.attempt = lease["nodeKey"], lease["attempt"]
        self.ids = {"nodeId": lease["nodeId"], "epoch": lease["epoch"]}
        self.stop, self.why, self.pending = threading.Event(), None, {}

    # Buffered until the next progress() (or the end of the job): one reportNode for all.
    def log(self, message, level="INFO"):
        self.pending.setdefault("logs", []).append({"level": level, "message": str(message)})

    def cost(self, delta):
        self.pending["costDelta"] = self.pending.get("costDelta", 0) + delta

    def metric(self, name, value):
        self.pending.setdefault("metrics", {})[name] = value

    def result(self, row):
        self.pending.setdefault("results", []).append(row)

    def progress(self, fraction):
        self.pending["progress"] = fraction
        self.flush()

    def flush(self):
        report, self.pending = self.pending, {}
        try:
            if report:
                self.client.call(REPORT, {"input": {**self.ids, **report}}, tries=6)
        except GraphQLError as e:
            if e.code != "LEASE_LOST":
                raise
            self.halt("lease lost")
            self.check()

    def sleep(self, seconds):
        """time.sleep that wakes up (raising Stopped) when the job must stop."""
        self.stop.wait(seconds)
        self.check()

    def check(self):
        if self.stop.is_set():
            raise Stopped(self.why)

    def halt(self, why):
        if not self.stop.is_set():
            self.why = why
            self.stop.set()


class Worker:
    def __init__(self, client, args):
        self.client, self.args = client, args
        self.stopping, self.fatal = threading.Event(), None
        self.jobs, self.lock = set(), threading.Lock()

    def give_up(self, code, message):
        self.fatal = FATAL.get(code) or f"the server refused the worker ({code}: {message})"
        self.stopping.set()

    def slot(self, n):
        """One unit of concurrency: claim (long-poll), run the job, repeat until stopping."""
        name, failures = f"python@{socket.gethostname()}:{os.getpid()}/{n}", 0
        claim = {"queue": self.args.queue, "leaseMs": self.args.lease_ms, "worker": name, "waitMs": WAIT_MS}
        while not self.stopping.is_set():
            try:
                lease = self.client.call(CLAIM, claim, timeout=WAIT_MS / 1000 + 15)["claimNode"]
                failures = 0
            except GraphQLError as e:
                if e.code not in TRANSIENT:  # a refused token, a bad leaseMs: retrying cannot help
                    return self.give_up(e.code, e)
                say(f"cannot claim ({e.code}: {e}); retrying")
                self.stopping.wait(backoff(failures))
                failures += 1
                continue
            if lease:
                self.run(Job(self.client, lease))

    def run(self, job):
        with self.lock:
            self.jobs.add(job)
        if self.stopping.is_set():  # claimed while shutting down: give it straight back
            job.halt("shutdown")
        say(f"claimed {job.key} (run {job.lease['runId']}, attempt {job.attempt})")
        done = threading.Event()
        threading.Thread(target=self.heartbeat, args=(job, done), daemon=True).start()
        try:
            output = handle(job)
            job.flush()
            verdict = (COMPLETE, {"output": output}, "completed")
        except Stopped:  # a lost lease has nothing left to report; a shutdown gives it back
            shutdown = job.why == "shutdown"
            verdict = (RELEASE, {"reason": "the worker is shutting down"}, "released") if shutdown else None
        except Exception as e:  # the handler failed: so does the node (or it retries), with the message
            verdict = (FAIL, {"error": str(e) or type(e).__name__}, f"failed ({e})")
        finally:
            done.set()
        try:
            if verdict:
                self.client.call(verdict[0], {**job.ids, **verdict[1]}, tries=6)
            say(f"{job.key}: {verdict[2] if verdict else f'stopped, {job.why} (cancelled or expired)'}")
        except GraphQLError as e:
            say(f"{job.key}: could not record the outcome ({e.code}: {e})")
            if e.code in FATAL:
                self.give_up(e.code, e)
        with self.lock:
            self.jobs.discard(job)

    def heartbeat(self, job, done):
        """Extend the lease every leaseMs/3 until the job is done; LEASE_LOST stops the job."""
        lease_ms = job.lease["leaseMs"]
        while not done.wait(lease_ms / 3000):
            try:
                self.client.call(HEARTBEAT, {**job.ids, "leaseMs": lease_ms}, timeout=lease_ms / 1000)
            except GraphQLError as e:
                if e.code == "LEASE_LOST":
                    say(f"{job.key}: lease lost, stopping the job")
                    return job.halt("lease lost")
                say(f"{job.key}: heartbeat failed ({e.code}: {e}); trying again")


def refusal(client):
    """Why the token cannot run workers, asked before the first claim; None when it can (or
    when the server cannot be reached yet: the claim loop retries and finds out)."""
    try:
        role = client.call("{ viewer { role } }", {})["viewer"]["role"]
    except GraphQLError as e:
        return FATAL.get(e.code)
    return None if role in ("OPERATOR", "ADMIN") else FATAL["FORBIDDEN"]


def main():
    parser = argparse.ArgumentParser(description="A Signalbox external worker (see the top of this file).")
    parser.add_argument("--url", default=os.environ.get("SIGNALBOX_URL", "http://127.0.0.1:3000"))
    parser.add_argument("--token", default=os.environ.get("SIGNALBOX_TOKEN"))
    parser.add_argument("--queue", required=True)
    parser.add_argument("--concurrency", type=int, default=1, help="jobs at a time (default 1)")
    parser.add_argument("--lease-ms", type=int, help="lease per claim (default: the node's leaseMs)")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds jobs get to finish at shutdown")
    args = parser.parse_args()
    if not args.token or args.concurrency < 1:
        parser.error("a token (--token or SIGNALBOX_TOKEN) and a --concurrency of 1 or more are required")
    client, signals = Client(args.url, args.token), []
    refused = refusal(client)
    if refused:
        print(f"python_worker: {refused}.", file=sys.stderr)
        return 4
    worker = Worker(client, args)
    # Handlers only count signals; the loops below act on them (no locks taken in a handler).
    signal.signal(signal.SIGTERM, lambda *_: signals.append(1))
    signal.signal(signal.SIGINT, lambda *_: signals.append(1))
    for n in range(args.concurrency):
        threading.Thread(target=worker.slot, args=(n,), daemon=True).start()
    say(f"waiting for work on queue {args.queue!r} at {args.url} ({args.concurrency} at a time)")
    while not signals and not worker.stopping.is_set():
        time.sleep(0.1)
    worker.stopping.set()
    # Idle slots stay parked in their long-poll: daemon threads, they end with the process
    # (a lease answered in that very instant expires and the server retries the node).
    deadline = time.monotonic() + args.grace
    while not worker.fatal:
        with worker.lock:
            jobs = list(worker.jobs)
        if not jobs or time.monotonic() > deadline + 10:  # +10 s for handlers that never check
            break
        if len(signals) > 1 or time.monotonic() > deadline:
            for job in jobs:
                job.halt("shutdown")
        time.sleep(0.1)
    if worker.fatal:
        print(f"python_worker: {worker.fatal}.", file=sys.stderr)
        return 4
    say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
