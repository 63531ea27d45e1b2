/**
 * Gathers concurrent calls into one: a call runs at once while fewer than `parallel` rounds are running; calls made
 * while they run wait and then run together, as one call with all their inputs (at most `max`). Under load a unit of
 * work is shared by many callers (one transaction for many queue jobs); alone, a call waits for nobody.
 * `run` answers one output per input, in order. If it throws, every caller of that round gets the error.
 */
export class Coalescer<I, O> {
  private queued: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly max = 100,
    private readonly parallel = 1,
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queued.push({ input, resolve, reject });
      if (this.running < this.parallel) this.next();
    });
  }

  private next(): void {
    const round = this.queued.splice(0, this.max);
    if (round.length === 0) return;
    this.running++;
    let outputs: Promise<O[]>;
    try {
      outputs = this.run(round.map((r) => r.input));
    } catch (err) {
      outputs = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    outputs
      .then(
        (os) => round.forEach((r, i) => r.resolve(os[i])),
        (err: unknown) => round.forEach((r) => r.reject(err)),
      )
      .finally(() => {
        this.running--;
        this.next();
      });
  }
}
