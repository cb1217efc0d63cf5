// The load client of the HTTP benchmarks: JSON POSTs over a keep-alive agent (one socket per
// concurrent request, reused), so the figures are the server's work and not TCP set-up, and
// a fixed number of requests in flight at all times.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Answer {
  status: number;
  text: string;
}

export interface LoadClient {
  post(url: string, body: unknown): Promise<Answer>;
  /** Closes the kept-alive sockets. */
  close(): void;
}

export function keepAliveClient(concurrency: number): LoadClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const send = (url: string, payload: Buffer, retry: boolean): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // The server closed this kept-alive socket after it sat idle (its keep-alive timeout,
        // 5 s in Node) just as we reused it: the request never reached it. Node's documented
        // remedy (request.reusedSocket): send it again, once, on a fresh socket.
        if (retry && request.reusedSocket && error.code === 'ECONNRESET') resolve(send(url, payload, false));
        else reject(error);
      });
      request.end(payload);
    });
  return {
    post: (url, body) => send(url, Buffer.from(JSON.stringify(body)), true),
    close: () => agent.destroy(),
  };
}

/**
 * Runs task(0 … count-1) with `concurrency` in flight: each worker takes the next index as soon
 * as its previous one finished. Resolves with the wall time of the whole batch in ms.
 */
export async function runConcurrently(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return performance.now() - started;
}

/** Counts of HTTP statuses, failures to get any answer, and answers outside 2xx. */
export class Outcomes {
  readonly statuses = new Map<number, number>();
  errors = 0;
  firstProblem: string | null = null;

  record(status: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  problem(description: string): void {
    this.errors++;
    this.firstProblem ??= description;
  }

  get non2xx(): number {
    let count = 0;
    for (const [status, times] of this.statuses) if (status < 200 || status > 299) count += times;
    return count;
  }

  /** e.g. "200×2000" or "200×1990 500×10". */
  describeStatuses(): string {
    return [...this.statuses].sort(([a], [b]) => a - b).map(([status, times]) => `${status}×${times}`).join(' ') || 'none';
  }
}

export interface PostBatch {
  /** Requests per second over the batch's wall time. */
  throughput: number;
  /** ms from sending each request to its complete answer. */
  latencies: number[];
  outcomes: Outcomes;
  /** 2xx answers that were not the expected answer (see `check`). */
  wrongAnswers: number;
}

/**
 * POSTs each body to `url` (or to url(index): e.g. round robin over several servers),
 * `concurrency` at a time, over `client` (keep it for all batches to one server, warm-up
 * included, so that no measured batch pays for opening connections); `check` says what is
 * wrong with an answer, or null.
 */
export async function postBatch(client: LoadClient, url: string | ((index: number) => string), bodies: readonly unknown[], concurrency: number, check: (answer: Answer, index: number) => string | null): Promise<PostBatch> {
  const outcomes = new Outcomes();
  const latencies: number[] = [];
  let wrongAnswers = 0;
  const wallMs = await runConcurrently(bodies.length, concurrency, async (index) => {
    const sentAt = performance.now();
    let answer: Answer;
    try {
      answer = await client.post(typeof url === 'string' ? url : url(index), bodies[index]);
    } catch (error) {
      outcomes.problem(`POST failed: ${(error as Error).message}`);
      return;
    }
    latencies.push(performance.now() - sentAt);
    outcomes.record(answer.status);
    const wrong = check(answer, index);
    if (wrong !== null) {
      wrongAnswers++;
      outcomes.firstProblem ??= wrong;
    }
  });
  return { throughput: bodies.length / (wallMs / 1000), latencies, outcomes, wrongAnswers };
}
