import { unlistedCode } from './catalogue-code/unlisted.js';
import { diagnosisConflictRules, injuryRules } from './diagnosis/index.js';
import { personStatusRules } from './person/index.js';
import { itemIndication } from './indication/indication.js';
import { zeroMarkup } from './zero-markup/above-purchase.js';
import { examRepeat } from './person-history/exam-repeat.js';
import { travelImpossible } from './person-history/travel.js';
import { serviceScope } from './scope/service-scope.js';
import { institutionWindowRules } from './institution/index.js';
import { nonDesignated } from './designation/non-designated.js';
import { duplicateRules } from './duplicate/index.js';
import type { AnyRule } from './engine.js';
import { priceAboveCeiling } from './price/above-ceiling.js';
import { providerModelRules } from './provider-model/index.js';
import { quantityRules } from './quantity/index.js';
import { restrictionRules } from './restriction/index.js';
import { splitChargingRules } from './split-charging/index.js';
import { admissionRules, stayRules } from './stays/index.js';
import { substitutionRules } from './substitution/index.js';
import { supplyRules } from './supply/index.js';

/** The rule catalogue: every rule the service knows, one file each, grouped by family. */
export const catalogue: readonly AnyRule[] = [
  nonDesignated,
  ...duplicateRules,
  ...splitChargingRules,
  ...stayRules,
  ...substitutionRules,
  priceAboveCeiling,
  ...quantityRules,
  ...restrictionRules,
  ...providerModelRules,
  unlistedCode,
  ...diagnosisConflictRules,
  ...injuryRules,
  ...personStatusRules,
  ...admissionRules,
  itemIndication,
  zeroMarkup,
  examRepeat,
  travelImpossible,
  serviceScope,
  ...institutionWindowRules,
  ...supplyRules,
];
