import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { deliveryTopic, EventSubscriber, SUBSCRIBER_NAMES, SUBSCRIPTIONS, SubscriberName } from '../events/subscriptions';
import { JOB_WORKLOADS, JobHandler, JobName } from './jobs';
import { TaskHandler } from './task-handler';
import type { Workload } from './workloads';

export class TaskWiringInvalid extends Error {}

interface Task {
  topic: string;
  workload: Workload;
  repeat?: { everyMs: number; payload: unknown };
  run(data: unknown): Promise<void>;
}

/**
 * The handlers a worker runs: jobs by name, domain-event subscribers by name, found at start-up among the
 * providers marked `@TaskHandler()`. A worker refuses to start when a job or a subscriber has no handler, or two
 * (house style, after Immich's job repository).
 */
@Injectable()
export class TaskRegistry implements OnModuleInit {
  private readonly tasks = new Map<string, Task>();
  private readonly duplicates: string[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  /** Every provider is built before any module's init hook runs, so all marked handlers are here. */
  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: TaskHandler.KEY })) {
      const handler = wrapper.instance as Partial<JobHandler & EventSubscriber<SubscriberName>> | undefined;
      if (handler?.job) this.registerJob(handler as JobHandler);
      else if (handler?.subscriber) this.registerSubscriber(handler as EventSubscriber<SubscriberName>);
      else throw new TaskWiringInvalid(`@TaskHandler() on ${wrapper.name} without a job or a subscriber name`);
    }
  }

  registerJob<N extends JobName>(handler: JobHandler<N>): void {
    this.add({ topic: handler.job, workload: JOB_WORKLOADS[handler.job], repeat: handler.repeat, run: (data) => handler.handle(data as never) });
  }

  registerSubscriber<S extends SubscriberName>(handler: EventSubscriber<S>): void {
    this.add({ topic: deliveryTopic(handler.subscriber), workload: SUBSCRIPTIONS[handler.subscriber].workload, run: (data) => handler.handle(data as never) });
  }

  private add(task: Task): void {
    if (this.tasks.has(task.topic)) this.duplicates.push(task.topic);
    this.tasks.set(task.topic, task);
  }

  get(topic: string): Task | undefined {
    return this.tasks.get(topic);
  }

  /** Every topic that may arrive, with its queue: all jobs and all subscribers. */
  static expected(): { topic: string; workload: Workload }[] {
    return [
      ...Object.values(JobName).map((j) => ({ topic: j, workload: JOB_WORKLOADS[j] })),
      ...SUBSCRIBER_NAMES.map((s) => ({ topic: deliveryTopic(s), workload: SUBSCRIPTIONS[s].workload })),
    ];
  }

  repeatable(): Task[] {
    return [...this.tasks.values()].filter((t) => t.repeat);
  }

  topics(): string[] {
    return [...this.tasks.keys()].sort();
  }

  verify(): void {
    const missing = TaskRegistry.expected()
      .filter((e) => !this.tasks.has(e.topic))
      .map((e) => e.topic);
    if (missing.length || this.duplicates.length) {
      throw new TaskWiringInvalid(`task wiring: missing handlers for [${missing.join(', ')}], duplicate handlers for [${this.duplicates.join(', ')}]`);
    }
  }
}
