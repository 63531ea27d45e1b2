import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { queueNameOf, Workload } from './workloads';

/** The producer side of the four workload queues (used by the outbox relay and the schedules). */
@Injectable()
export class WorkloadQueues {
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
}
