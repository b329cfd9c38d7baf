import pino, { type DestinationStream, type Logger } from 'pino';

/** Personal fields never reach a log line, whatever object a caller hands the logger. */
export const REDACTED_PATHS = [
  'insured',
  'insured.id',
  '*.insured',
  'patn_id',
  '*.patn_id',
  'patn_name',
  '*.patn_name',
  'personId',
  '*.personId',
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'claimscreen' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
