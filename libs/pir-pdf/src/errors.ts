/** Errors of the renderer, typed so a host can map them (retry a job on a crash, report a timeout). */
export class PirRenderError extends Error {
  constructor(
    message: string,
    readonly code: 'timeout' | 'browser_failed' | 'closed',
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class PirRenderTimeout extends PirRenderError {
  constructor(ms: number) {
    super(`PDF render did not finish within ${ms} ms`, 'timeout');
  }
}

export class PirRenderFailed extends PirRenderError {
  constructor(reason: string) {
    super(`PDF render failed: ${reason}`, 'browser_failed');
  }
}

export class PirRendererClosed extends PirRenderError {
  constructor() {
    super('The PDF renderer is closed', 'closed');
  }
}
