import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JobHandler, JobName } from './jobs';

export class JobWiringInvalid extends Error {}

/** Start-up fails when a job has no handler or two (house style, after Immich). */
@Injectable()
export class JobRegistry implements OnApplicationBootstrap {
  private readonly handlers = new Map<JobName, JobHandler>();
  private readonly duplicates: JobName[] = [];

  register(handler: JobHandler): void {
    if (this.handlers.has(handler.job)) this.duplicates.push(handler.job);
    this.handlers.set(handler.job, handler);
  }

  get(name: string): JobHandler | undefined {
    return this.handlers.get(name as JobName);
  }

  onApplicationBootstrap(): void {
    const missing = Object.values(JobName).filter((n) => !this.handlers.has(n));
    if (missing.length || this.duplicates.length) {
      throw new JobWiringInvalid(`job wiring: missing handlers for [${missing.join(', ')}], duplicate handlers for [${this.duplicates.join(', ')}]`);
    }
  }
}
