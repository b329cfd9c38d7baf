import { v7 } from 'uuid';

/**
 * A time-ordered UUID (RFC 9562 version 7, the `uuid` package): the first 48 bits are the Unix time
 * in milliseconds, the rest a counter and random bits. The ids the intake gives claims, findings and
 * references, so each month's new rows go to the right end of the primary-key indexes instead of a
 * random leaf page each (bench/README.md: fewer pages written whole after a checkpoint, less WAL a
 * claim). An id then says when it was made, to the millisecond: no more than the claim's answer
 * says (screenedAt).
 */
export const uuid7 = (now: number = Date.now()): string => v7({ msecs: now });
