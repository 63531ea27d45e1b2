import { Conflict, NotFound } from '../common/domain-errors';

export class WalkthroughNotFound extends NotFound {
  constructor() {
    super('no walkthrough is booked for this review');
  }
}

/** Another booking (of any tenant) holds the CSM at that time: the exclusion constraint said so. */
export class WalkthroughSlotTaken extends Conflict {
  constructor(startsAt: string) {
    super(`the slot at ${startsAt} was just booked by someone else; pick another slot`, [{ field: 'startsAt', message: 'is no longer free' }]);
  }
}

export class WalkthroughAlreadyBooked extends Conflict {
  constructor(startsAt: string) {
    super(`a walkthrough of this review is already booked for ${startsAt}; reschedule or cancel it instead`);
  }
}

export class WalkthroughNeedsPublishedReview extends Conflict {
  constructor() {
    super('a walkthrough can be booked once the post-incident review is published');
  }
}

export class NoCsmAssigned extends Conflict {
  constructor() {
    super('no customer success manager is assigned to this tenant yet; ask the vendor to assign one');
  }
}
