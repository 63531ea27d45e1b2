/** What a spec varies in one HAR entry; everything else is the minimum a HAR 1.2 entry holds. */
export interface HarEntryParts {
  method?: string;
  url?: string;
  requestHeaders?: { name: string; value: string }[];
  postData?: { mimeType: string; text: string };
}

/** One HAR entry with an empty response: specs about request-side redaction build their input from it. */
export function harEntry(parts: HarEntryParts = {}) {
  return {
    startedDateTime: '2025-01-01T00:00:00.000Z',
    time: 1,
    request: {
      method: parts.method ?? 'GET',
      url: parts.url ?? 'https://app.example/',
      httpVersion: 'HTTP/1.1',
      headers: parts.requestHeaders ?? [],
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: -1,
      ...(parts.postData ? { postData: parts.postData } : {}),
    },
    response: {
      status: 200,
      statusText: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: [],
      cookies: [],
      content: { size: 0, mimeType: 'text/plain' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
  };
}

/** A HAR document holding the given entries. */
export function harOf(...entries: ReturnType<typeof harEntry>[]) {
  return { log: { version: '1.2', creator: { name: 't', version: '1' }, pages: [], entries } };
}
