import { DiscoveryService } from '@nestjs/core';

/**
 * Marks a provider as a job handler (`job` + `handle`) or a domain-event subscriber (`subscriber` + `handle`):
 * the task registry finds every marked provider at start-up, so a handler declares nothing else to be run.
 */
export const TaskHandler = DiscoveryService.createDecorator<void>();
