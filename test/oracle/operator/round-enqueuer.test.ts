import { expect } from "chai";
import type { JobsOptions } from "bullmq";

import { roundJobId, submitJobId } from "../../../oracle/operator/queues.ts";
import { RoundEnqueuer, type EnqueuerQueue, type JobStateView } from "../../../oracle/operator/round-enqueuer.ts";
import { SILENT } from "./round-harness.ts";

/** A queue in memory: jobs by id, each with a state the test sets. */
class StateQueue implements EnqueuerQueue {
  readonly states = new Map<string, string>();
  readonly added: { data: object; opts: JobsOptions }[] = [];

  async getJob(id: string): Promise<JobStateView | undefined> {
    const state = this.states.get(id);
    return state === undefined ? undefined : { id, getState: async () => this.states.get(id) ?? "unknown" };
  }

  async add(_name: string, data: object, opts: JobsOptions): Promise<unknown> {
    if (opts.jobId !== undefined && this.states.has(opts.jobId)) return undefined;
    this.states.set(opts.jobId ?? "", "waiting");
    this.added.push({ data, opts });
    return undefined;
  }
}

function enqueuer(needsAttestation: boolean) {
  const rounds = new StateQueue();
  const submit = new StateQueue();
  const e = new RoundEnqueuer({
    chainId: 31337n,
    operator: "0x00000000000000000000000000000000000000aa",
    queues: { rounds, submit },
    retry: { roundAttempts: 5, submitAttempts: 8, backoffMs: 2_000 },
    needsAttestation: async () => needsAttestation,
    log: SILENT,
  });
  return { e, rounds, submit };
}

describe("operator: the round enqueuer (re-driving rounds that still need this operator)", function () {
  it("queues generation 0 of a round it has never seen", async function () {
    const { e, rounds } = enqueuer(true);

    await e.enqueue(5n, "event");

    expect(rounds.added.map((j) => j.opts.jobId)).to.deep.equal([roundJobId(31337n, 5n)]);
  });

  it("adds nothing while the round's job is still running (re-delivery)", async function () {
    const { e, rounds } = enqueuer(true);
    await e.enqueue(5n, "event");
    rounds.states.set(roundJobId(31337n, 5n), "active");

    await e.enqueue(5n, "reconcile");

    expect(rounds.added).to.have.length(1);
  });

  it("re-drives a round whose job failed with its attempts used up, as the next generation", async function () {
    const { e, rounds } = enqueuer(true);
    rounds.states.set(roundJobId(31337n, 5n), "failed");

    await e.enqueue(5n, "reconcile");

    expect(rounds.added.map((j) => j.opts.jobId)).to.deep.equal([roundJobId(31337n, 5n, 1)]);
  });

  it("re-drives a round whose completed job and submission are done while the chain still lacks the attestation (a reorg)", async function () {
    const { e, rounds, submit } = enqueuer(true);
    rounds.states.set(roundJobId(31337n, 5n), "completed");
    rounds.states.set(roundJobId(31337n, 5n, 1), "completed");
    submit.states.set(submitJobId(roundJobId(31337n, 5n, 1)), "completed");

    await e.enqueue(5n, "reconcile");

    expect(rounds.added.map((j) => j.opts.jobId)).to.deep.equal([roundJobId(31337n, 5n, 2)]);
  });

  it("waits for a submission that is still being retried", async function () {
    const { e, rounds, submit } = enqueuer(true);
    rounds.states.set(roundJobId(31337n, 5n), "completed");
    submit.states.set(submitJobId(roundJobId(31337n, 5n)), "delayed");

    await e.enqueue(5n, "reconcile");

    expect(rounds.added).to.have.length(0);
  });

  it("leaves a finished round alone when the chain has this operator's attestation", async function () {
    const { e, rounds, submit } = enqueuer(false);
    rounds.states.set(roundJobId(31337n, 5n), "completed");
    submit.states.set(submitJobId(roundJobId(31337n, 5n)), "completed");

    await e.enqueue(5n, "event");

    expect(rounds.added).to.have.length(0);
  });
});
