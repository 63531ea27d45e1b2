import { DomainError, NotFound } from '../common/domain-errors';

/**
 * Why an upload was refused. The rule is the error code of the body (`{ error: rule, message, fields }`),
 * so a client (or the person reading the message) knows which check failed.
 */
export type EvidenceRule =
  // 400: the request or the file is not what it claims to be
  | 'not_json'
  | 'not_har'
  | 'truncated'
  | 'empty'
  | 'gzip_invalid'
  | 'not_governance_export'
  | 'image_invalid'
  | 'file_missing'
  | 'file_name_invalid'
  | 'kind_missing'
  | 'kind_invalid'
  | 'kind_after_file'
  | 'unexpected_part'
  | 'too_many_files'
  | 'too_many_parts'
  | 'field_too_long'
  | 'multipart_malformed'
  | 'upload_aborted'
  | 'nesting_too_deep'
  // 413: too big
  | 'file_too_large'
  | 'inflated_too_large'
  | 'entry_too_large'
  | 'record_too_large'
  // 415: not a type this kind accepts
  | 'not_multipart'
  | 'wrong_content_type'
  | 'wrong_file_extension';

const STATUS: Record<EvidenceRule, 400 | 413 | 415> = {
  not_json: 400,
  not_har: 400,
  truncated: 400,
  empty: 400,
  gzip_invalid: 400,
  not_governance_export: 400,
  image_invalid: 400,
  file_missing: 400,
  file_name_invalid: 400,
  kind_missing: 400,
  kind_invalid: 400,
  kind_after_file: 400,
  unexpected_part: 400,
  too_many_files: 400,
  too_many_parts: 400,
  field_too_long: 400,
  multipart_malformed: 400,
  upload_aborted: 400,
  nesting_too_deep: 400,
  file_too_large: 413,
  inflated_too_large: 413,
  entry_too_large: 413,
  record_too_large: 413,
  not_multipart: 415,
  wrong_content_type: 415,
  wrong_file_extension: 415,
};

/** An upload refused by one named rule; never quotes the uploaded content. */
export class EvidenceRejected extends DomainError {
  readonly status: number;
  readonly code: string;
  constructor(
    readonly rule: EvidenceRule,
    message: string,
    field: 'file' | 'kind' | 'body' = 'file',
  ) {
    super(message, [{ field, message: `${message} (rule ${rule})` }]);
    this.status = STATUS[rule];
    this.code = rule;
  }
}

export class AttachmentNotFound extends NotFound {
  constructor() {
    super('attachment not found');
  }
}

/** The stored file of a live attachment is missing (storage lost it); the row is kept for the audit trail. */
export class AttachmentContentMissing extends DomainError {
  readonly status = 410;
  readonly code = 'gone';
  constructor() {
    super('the file of this attachment is no longer stored');
  }
}

/** BYOC: the bytes of this tenant's evidence live in its data plane; the browser goes there with a grant. */
export class EvidenceOnDataPlane extends DomainError {
  readonly status = 409;
  readonly code = 'evidence_on_data_plane';
  constructor(what: 'upload' | 'download') {
    super(
      `this tenant keeps its evidence in its own data plane: ask for a ${what} grant (POST /api/v1/incidents/:id/attachments/${what === 'upload' ? 'upload-grants' : ':attachmentId/download-grants'}) and ${what === 'upload' ? 'send the file' : 'fetch it'} there`,
    );
  }
}
