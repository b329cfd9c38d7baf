import { createHash } from 'node:crypto';
import type { Database, Query } from '../db/client.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../http/errors.js';
import { maskPersonalData } from '../lib/personal-data.js';
import { assertNoConflict, type Person } from './identity.js';
import { appendTrail } from './trail.js';

/**
 * The evidence around a case (docs/review-pages.md): the insured person's earlier
 * claims and stays, the institution's record, notes and attachments.
 *
 * Who sees what: the person's history and the attachments' bytes are personal (medical) data, for
 * the people who review cases — auditors and supervisors. An admin manages keys and rules and, by
 * the separation of duties (src/review/identity.ts), does not review: an admin sees that notes and
 * attachments exist (they are in the trail) but not the history nor the files. The settlement
 * system's keys never reach the review API.
 */
export const EVIDENCE_ROLES: readonly Person['role'][] = ['auditor', 'supervisor'];
export const mayReadEvidence = (p: Person) => EVIDENCE_ROLES.includes(p.role);
export const HISTORY_DAYS = 180;

/** What the database accepts (0019's check); the type is decided from the bytes, never from the name or the header. */
export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((ch) => ch.charCodeAt(0));

/** The type by magic bytes: PDF (%PDF-), PNG, JPEG, GIF, WebP; undefined for anything else. */
export function sniffType(b: Uint8Array): AttachmentType | undefined {
  if (startsWith(b, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
}

/** A file name as stored and sent back: the last path segment, no control characters, at most 200 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  return clean || 'attachment';
}

export interface Note {
  id: number;
  body: string;
  author: string;
  createdAt: string;
}
export interface AttachmentMeta {
  id: number;
  fileName: string;
  contentType: AttachmentType;
  sizeBytes: number;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
}
export interface HistoryClaim {
  institutionId: string;
  institutionName: string | null;
  claimId: string;
  visitType: string;
  startedAt: string;
  endedAt: string;
  totalAmount: string;
  decision: string;
  caseId: number | null;
  caseStatus: string | null;
  mainDiagnosis: string | null;
}
export interface InstitutionRecord {
  institutionId: string;
  name: string;
  type: string;
  level: string;
  ownership: string;
  area: string;
  beds: number;
}

const isoOf = (v: unknown) => new Date(typeof v === 'number' ? v : String(v)).toISOString();

export function createReviewEvidence({ database, maxAttachmentBytes, afterCommit = () => {} }: { database: Database; maxAttachmentBytes: number; afterCommit?: () => void }) {
  const act = async <R>(fn: (q: Query) => Promise<R>): Promise<R> => {
    const result = await database.transaction(fn);
    afterCommit();
    return result;
  };
  const caseRow = async (q: Query | Database['query'], id: number) => {
    const [row] = await q<{ id: string; institution_id: string; person_hash: string; claim_id: string }>('select id, institution_id, person_hash, claim_id from review_cases where id = $1', [id]);
    if (!row) throw new NotFoundError(`No review case ${id}`);
    return row;
  };
  const mayWrite = (p: Person) => {
    if (p.role !== 'auditor' && p.role !== 'supervisor') throw new ForbiddenError(`The role ${p.role} does not add notes or attachments to cases: auditors and supervisors do`);
  };

  return {
    maxAttachmentBytes,

    async notes(caseId: number): Promise<Note[]> {
      const rows = await database.query<{ id: string; body: string; author: string; at_ms: number }>(
        `select id, body, author, (extract(epoch from created_at) * 1000)::float8 as at_ms from review_notes where case_id = $1 order by id`,
        [caseId],
      );
      return rows.map((r) => ({ id: Number(r.id), body: r.body, author: r.author, createdAt: isoOf(Number(r.at_ms)) }));
    },

    /** A note by a reviewer (not one with a declared conflict with the institution); personal ids in it are masked like every free text. */
    async addNote(person: Person, caseId: number, said: string): Promise<Note> {
      mayWrite(person);
      const text = said.trim();
      if (!text) throw new ValidationError([{ path: 'body', message: 'must say something' }]);
      if (text.length > 4000) throw new ValidationError([{ path: 'body', message: 'must be at most 4000 characters' }]);
      const body = maskPersonalData(text);
      return act(async (q) => {
        const k = await caseRow(q, caseId);
        await assertNoConflict(q, person, k.institution_id);
        const [r] = await q<{ id: string; at_ms: number }>(
          `insert into review_notes (case_id, body, author) values ($1, $2, $3) returning id, (extract(epoch from created_at) * 1000)::float8 as at_ms`,
          [caseId, body, person.name],
        );
        await appendTrail(q, { actor: person.name, action: 'case.note', caseId, before: null, after: { noteId: Number(r!.id), body } });
        return { id: Number(r!.id), body, author: person.name, createdAt: isoOf(Number(r!.at_ms)) };
      });
    },

    async attachments(caseId: number): Promise<AttachmentMeta[]> {
      const rows = await database.query<{ id: string; file_name: string; content_type: AttachmentType; size_bytes: number; sha256: string; uploaded_by: string; at_ms: number }>(
        `select id, file_name, content_type, size_bytes, sha256, uploaded_by, (extract(epoch from created_at) * 1000)::float8 as at_ms
         from review_attachments where case_id = $1 order by id`,
        [caseId],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        fileName: r.file_name,
        contentType: r.content_type,
        sizeBytes: Number(r.size_bytes),
        sha256: r.sha256,
        uploadedBy: r.uploaded_by,
        createdAt: isoOf(Number(r.at_ms)),
      }));
    },

    /** Stores a PDF or an image (by its magic bytes) of at most maxAttachmentBytes; the trail lists it by name, type, size and hash. */
    async attach(person: Person, caseId: number, file: { fileName: string; data: Uint8Array }): Promise<AttachmentMeta> {
      mayWrite(person);
      if (file.data.length === 0) throw new ValidationError([{ path: 'file', message: 'is empty' }]);
      if (file.data.length > maxAttachmentBytes)
        throw new ValidationError([{ path: 'file', message: `is ${file.data.length} bytes; at most ${maxAttachmentBytes} bytes (REVIEW_ATTACHMENT_MAX_BYTES)` }]);
      const type = sniffType(file.data);
      if (!type) throw new ValidationError([{ path: 'file', message: 'is not a PDF, PNG, JPEG, GIF or WebP file (its first bytes say so, whatever its name)' }]);
      const fileName = cleanFileName(file.fileName);
      const digest = createHash('sha256').update(file.data).digest('hex');
      return act(async (q) => {
        const k = await caseRow(q, caseId);
        await assertNoConflict(q, person, k.institution_id);
        const [r] = await q<{ id: string; at_ms: number }>(
          `insert into review_attachments (case_id, file_name, content_type, size_bytes, sha256, data, uploaded_by)
           values ($1, $2, $3, $4, $5, $6, $7) returning id, (extract(epoch from created_at) * 1000)::float8 as at_ms`,
          [caseId, fileName, type, file.data.length, digest, database.kind === 'postgres' ? Buffer.from(file.data) : file.data, person.name],
        );
        const meta = { id: Number(r!.id), fileName, contentType: type, sizeBytes: file.data.length, sha256: digest, uploadedBy: person.name, createdAt: isoOf(Number(r!.at_ms)) };
        await appendTrail(q, {
          actor: person.name,
          action: 'case.attach',
          caseId,
          before: null,
          after: { attachmentId: meta.id, fileName, contentType: type, sizeBytes: meta.sizeBytes, sha256: digest },
        });
        return meta;
      });
    },

    /** One attachment's bytes, for auditors and supervisors. */
    async download(person: Person, caseId: number, attachmentId: number): Promise<AttachmentMeta & { data: Uint8Array }> {
      if (!mayReadEvidence(person)) throw new ForbiddenError(`The role ${person.role} does not open attachments: auditors and supervisors do`);
      const [r] = await database.query<{ id: string; file_name: string; content_type: AttachmentType; size_bytes: number; sha256: string; uploaded_by: string; at_ms: number; data: Uint8Array }>(
        `select id, file_name, content_type, size_bytes, sha256, uploaded_by, (extract(epoch from created_at) * 1000)::float8 as at_ms, data
         from review_attachments where case_id = $1 and id = $2`,
        [caseId, attachmentId],
      );
      if (!r) throw new NotFoundError(`No attachment ${attachmentId} on case ${caseId}`);
      const data = r.data instanceof Uint8Array ? r.data : Buffer.from(String(r.data).replace(/^\\x/, ''), 'hex');
      return {
        id: Number(r.id),
        fileName: r.file_name,
        contentType: r.content_type,
        sizeBytes: Number(r.size_bytes),
        sha256: r.sha256,
        uploadedBy: r.uploaded_by,
        createdAt: isoOf(Number(r.at_ms)),
        data,
      };
    },

    /**
     * The insured person's other claims that started within HISTORY_DAYS before this claim's start
     * (or during it), newest first, each with its case if it has one; undefined for roles that may
     * not see it. Read by claims_person_started_idx.
     */
    async history(person: Person, claimId: string, limit = 100): Promise<HistoryClaim[] | undefined> {
      if (!mayReadEvidence(person)) return undefined;
      const rows = await database.query<Record<string, unknown>>(
        `with me as (select person_hash, started_at, ended_at from claims where id = $1 limit 1)
         select c.institution_id, c.claim_no, c.visit_type, (extract(epoch from c.started_at) * 1000)::float8 as s_ms,
                (extract(epoch from c.ended_at) * 1000)::float8 as e_ms, c.total_amount::text as total, c.decision, c.main_diagnosis,
                k.id as case_id, k.status as case_status,
                (select i.name from institutions i where i.institution_id = c.institution_id order by i.valid_from desc limit 1) as inst_name
         from me join claims c on c.person_hash = me.person_hash
              and c.started_at >= me.started_at - ($2::int * interval '1 day') and c.started_at <= me.ended_at
         left join review_cases k on k.claim_id = c.id
         where c.id <> $1
         order by c.started_at desc, c.claim_no limit $3`,
        [claimId, HISTORY_DAYS, limit],
      );
      return rows.map((r) => ({
        institutionId: String(r.institution_id),
        institutionName: (r.inst_name as string | null) ?? null,
        claimId: String(r.claim_no),
        visitType: String(r.visit_type),
        startedAt: isoOf(Number(r.s_ms)),
        endedAt: isoOf(Number(r.e_ms)),
        totalAmount: String(r.total),
        decision: String(r.decision),
        caseId: r.case_id === null || r.case_id === undefined ? null : Number(r.case_id),
        caseStatus: (r.case_status as string | null) ?? null,
        mainDiagnosis: (r.main_diagnosis as string | null) ?? null,
      }));
    },

    /** The institution's record valid on `day` (yyyy-MM-dd), else its latest. */
    async institution(institutionId: string, day: string): Promise<InstitutionRecord | undefined> {
      const [r] = await database.query<Record<string, unknown>>(
        `select institution_id, name, type, level, ownership, area, beds from institutions where institution_id = $1
         order by (valid_from <= $2::date and (valid_to is null or valid_to >= $2::date)) desc, valid_from desc limit 1`,
        [institutionId, day],
      );
      return r
        ? { institutionId: String(r.institution_id), name: String(r.name), type: String(r.type), level: String(r.level), ownership: String(r.ownership), area: String(r.area), beds: Number(r.beds) }
        : undefined;
    },

    /** A claim by its institution and number, with its case if it has one. */
    async claimByKey(institutionId: string, claimNo: string) {
      const [r] = await database.query<Record<string, unknown>>(
        `select c.id, c.body, claim_answer(c) as answer, c.decision, c.total_amount::text as total, k.id as case_id from claim_keys ck
         join claims c on c.id = ck.claim_id and c.person_hash = ck.person_hash and c.service_month = ck.service_month
         left join review_cases k on k.claim_id = c.id
         where ck.institution_id = $1 and ck.claim_no = $2`,
        [institutionId, claimNo],
      );
      if (!r) return undefined;
      const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
      const findings = await database.query<Record<string, unknown>>(
        `select f.rule_id, f.rule_version, f.family, f.severity, f.status, f.message, f.violating_lines, f.involved_lines, f.amount::text as amount
         from findings f where f.claim_id = $1 order by f.created_at, f.id`,
        [r.id],
      );
      return {
        id: String(r.id),
        body: json(r.body),
        decision: String(r.decision),
        total: String(r.total),
        caseId: r.case_id === null || r.case_id === undefined ? null : Number(r.case_id),
        findings: findings.map((f) => ({
          ruleId: String(f.rule_id),
          ruleVersion: Number(f.rule_version),
          family: String(f.family),
          severity: String(f.severity),
          status: String(f.status),
          message: json(f.message) as { zh: string; en: string },
          violatingLines: json(f.violating_lines) as string[],
          involvedLines: json(f.involved_lines) as string[],
          amount: String(f.amount),
        })),
      };
    },
  };
}

export type ReviewEvidence = ReturnType<typeof createReviewEvidence>;
