import { buildInstitutions } from './institutions.js';
import { periodOf, resolveOptions, type Period, type SimOptions } from './options.js';
import { Population } from './population.js';
import type { SimInstitution } from './types.js';

/** Everything fixed before the first day is planned: options, period, institutions, population. */
export interface World {
  seed: number | string;
  options: SimOptions;
  period: Period;
  institutions: SimInstitution[];
  population: Population;
}

export function createWorld(input: Partial<SimOptions> & Pick<SimOptions, 'seed' | 'month'>): World {
  const options = resolveOptions(input);
  const period = periodOf(options);
  return {
    seed: options.seed,
    options,
    period,
    institutions: buildInstitutions(options, period.months[0] as string),
    population: new Population(options.seed, options.scale, period.start),
  };
}
