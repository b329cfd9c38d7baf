import type { TestService } from './service.js';

/** Seeds reference data straight into the tables and reloads the service's cache. */
export async function seedReference(
  svc: TestService,
  seed: {
    institutions?: { id: string; level?: string; type?: string; designatedFrom?: string; designatedTo?: string }[];
    items?: { code: string; name: string; category?: string; ceiling?: { primary?: string; secondary?: string; tertiary?: string }; restrictions?: object }[];
  },
) {
  const q = svc.deps.database.query.bind(svc.deps.database);
  for (const i of seed.institutions ?? []) {
    await q(
      `insert into institutions (institution_id, valid_from, name, type, level, ownership, area, beds, designated_from, designated_to)
       values ($1, '2000-01-01', $1, $2, $3, 'public', '320102', 100, $4, $5)`,
      [i.id, i.type ?? 'hospital', i.level ?? 'secondary', i.designatedFrom ?? '2020-01-01', i.designatedTo ?? null],
    );
  }
  for (const it of seed.items ?? []) {
    await q(
      `insert into catalogue_items (item_code, valid_from, name, category, unit, price_ceiling_primary, price_ceiling_secondary, price_ceiling_tertiary, restrictions)
       values ($1, '2000-01-01', $2, $3, '次', $4, $5, $6, $7::jsonb)`,
      [it.code, it.name, it.category ?? 'service', it.ceiling?.primary ?? null, it.ceiling?.secondary ?? null, it.ceiling?.tertiary ?? null, JSON.stringify(it.restrictions ?? {})],
    );
  }
  await svc.deps.referenceCache.refresh(true);
}
