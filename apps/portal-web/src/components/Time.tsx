import { formatFull, formatTime, viewerZone } from '../lib/time';

/** An instant in the viewer's zone with the zone named; hover shows the full date. */
export function Time({ iso, zone = viewerZone() }: { iso: string | null | undefined; zone?: string }) {
  if (!iso) return <span>—</span>;
  return (
    <time dateTime={iso} title={formatFull(iso, zone)}>
      {formatTime(iso, zone)}
    </time>
  );
}
