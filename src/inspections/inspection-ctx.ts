import type { Database } from '../db/client.js';
import type { InspectionCtx } from './draw-inspections.js';
import { createInspectionsRepository } from './inspections.repository.js';
import { createInspectorRoster } from './people.js';
import { createConflictSource } from './recusal.js';
import { createRiskSource } from './risk.js';

export function createInspectionCtx(database: Database): InspectionCtx {
  return {
    inspections: createInspectionsRepository({ database }),
    conflicts: createConflictSource(database),
    risk: createRiskSource(database),
    roster: createInspectorRoster(database),
  };
}
