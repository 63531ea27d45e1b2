import { Conflict, NotFound } from '../common/domain-errors';

export class PirNotFound extends NotFound {
  constructor() {
    super('post-incident review not found');
  }
}

export class PirVersionConflict extends Conflict {
  constructor(current: number) {
    super(`the review was changed meanwhile (now version ${current}); reload it and apply your edits again`, [
      { field: 'version', message: `is not the current version (${current})` },
    ]);
  }
}

export class PirPdfNotReady extends Conflict {
  constructor() {
    super('the PDF of this review is being rendered; try again in a few seconds');
  }
}
