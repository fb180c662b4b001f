/**
 * UTC offsets of the time zone an ORC file was written in. ORC TIMESTAMP columns are written relative to
 * the writer's zone (`StripeFooter.writerTimezone`); turning them back into that zone's wall clock needs
 * the offset in force at each value. The offsets come from the engine's own zone table (`zoneOffsetMs`,
 * Intl-backed and memoized per quarter hour); this module only names the file when the zone is unknown.
 */
import { FloeError, unsupported } from '../../common/index.js';
import { zoneOffsetMs } from '../../types/index.js';

/** True for the names of UTC itself, for which no conversion is needed. */
export function isUtcZone(zone: string | undefined): boolean {
  return zone === undefined || zone === '' || zone === 'UTC' || zone === 'GMT' || zone === 'Etc/UTC' || zone === 'Z' || zone === 'Etc/GMT';
}

/** Offset of `zone` from UTC, in seconds, at the instant `epochSeconds`. */
export function zoneOffsetSeconds(zone: string, epochSeconds: number, file: string): number {
  try {
    return zoneOffsetMs(epochSeconds * 1000, zone) / 1000;
  } catch (cause) {
    if (cause instanceof FloeError && cause.code === 'CONFIG.TIME_ZONE') {
      throw unsupported('LAKE.UNSUPPORTED_FORMAT', `ORC file '${file}' was written in time zone '${zone}', which this Node.js does not know`, { cause });
    }
    throw cause;
  }
}
