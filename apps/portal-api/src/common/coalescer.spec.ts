import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  it('runs a lone call at once, and the calls made meanwhile together in one round, each getting its own answer', async () => {
    const rounds: number[][] = [];
    let release: () => void = () => undefined;
    const c = new Coalescer<number, number>(async (xs) => {
      rounds.push(xs);
      if (rounds.length === 1) await new Promise<void>((r) => (release = r));
      return xs.map((x) => x * 10);
    });
    const first = c.call(1);
    const later = [c.call(2), c.call(3), c.call(4)];
    expect(rounds).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(rounds).toEqual([[1], [2, 3, 4]]);
  });

  it('runs up to `parallel` rounds at once before gathering', async () => {
    const rounds: number[][] = [];
    const releases: (() => void)[] = [];
    const c = new Coalescer<number, number>(
      async (xs) => {
        rounds.push(xs);
        await new Promise<void>((r) => releases.push(r));
        return xs;
      },
      100,
      2,
    );
    const calls = [1, 2, 3, 4].map((x) => c.call(x));
    expect(rounds).toEqual([[1], [2]]);
    releases[0]();
    await new Promise((r) => setImmediate(r));
    expect(rounds).toEqual([[1], [2], [3, 4]]);
    releases[1]();
    releases[2]();
    expect(await Promise.all(calls)).toEqual([1, 2, 3, 4]);
  });

  it('caps a round at max inputs', async () => {
    const rounds: number[][] = [];
    const c = new Coalescer<number, number>(async (xs) => (rounds.push(xs), xs), 2);
    await Promise.all([1, 2, 3, 4, 5].map((x) => c.call(x)));
    expect(rounds).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('fails every caller of a failed round, and serves the next round', async () => {
    let fail = true;
    const c = new Coalescer<number, number>(async (xs) => {
      if (fail) throw new Error('database away');
      return xs;
    });
    const a = c.call(1);
    fail = true;
    await expect(a).rejects.toThrow('database away');
    fail = false;
    await expect(c.call(2)).resolves.toBe(2);
  });

  it('a run that throws synchronously fails its callers instead of the process', async () => {
    const c = new Coalescer<number, number>(() => {
      throw new Error('bad input');
    });
    await expect(c.call(1)).rejects.toThrow('bad input');
  });
});
