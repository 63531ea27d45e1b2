import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { connectionIsUp } from './redis-connections';
import { queueNameOf, Workload } from './workloads';

/** The producer side of the four workload queues (used by the outbox relay and the schedules). */
@Injectable()
export class WorkloadQueues implements BeforeApplicationShutdown {
  private readonly byWorkload: Record<Workload, Queue>;
  constructor(
    @InjectQueue(queueNameOf('clocks')) clocks: Queue,
    @InjectQueue(queueNameOf('notifications')) notifications: Queue,
    @InjectQueue(queueNameOf('rendering')) rendering: Queue,
    @InjectQueue(queueNameOf('maintenance')) maintenance: Queue,
  ) {
    this.byWorkload = { clocks, notifications, rendering, maintenance };
    // Connection errors surface on add(); without a listener they would crash the process.
    for (const q of Object.values(this.byWorkload)) q.on('error', () => undefined);
  }

  get(w: Workload): Queue {
    return this.byWorkload[w];
  }

  /**
   * BullMQ's connections wait for Redis without limit (as its blocking commands need); closing them while Redis is
   * away would hang the shutdown until the orchestrator kills the process. A queue whose connection is not up has it
   * closed by force instead (dropped, not quit; BullMQ's Queue has no public call for that, hence the cast — the
   * fault suite's shutdown test fails if it stops working): nothing is lost, what it would add is still in the outbox.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(
      Object.values(this.byWorkload).map(async (q) => {
        if (!(await connectionIsUp(q.client))) await (q as unknown as { connection: { close(force: boolean): Promise<void> } }).connection.close(true);
      }),
    );
  }
}
