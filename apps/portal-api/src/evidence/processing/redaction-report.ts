import { RedactionCounter, type RedactionReport } from '@portal/har-sanitizer';

/** Evidence of every kind reports its redactions with the HAR sanitizer's counter: same rules, same summary. */
export type EvidenceReport = RedactionReport;
export { RedactionCounter as ReportCounter };
