/** The bulk load of bench/report.ts: synthetic claims, findings and rejections written by SQL alone. */

// One claim per row of generate_series, per institution: visit type by the institution's mix,
// service in the month, four fee lines in the body (1% without the own item name, 2% of drug
// lines without a specification), settled 0-2 days after the service (3% 8-20 days), received
// at settlement (1% after the default cut-off), 8% with a line withheld. The data-quality columns
// are filled from the same draws as the body, as intake fills them from the claim
// (src/claims/quality.ts): four lines, the missing name and specification, and settledAt as the
// body states it (to the second).
export const INSERT_CLAIMS = `
insert into claims (id, institution_id, claim_no, person_hash, visit_type, started_at, ended_at, service_month,
  main_diagnosis, total_amount, payable_amount, decision, content_hash, received_at, body, answer,
  line_count, lines_missing_name, lines_missing_spec, settled_at)
select gen_random_uuid(), i.id, 'B' || $5 || '-' || g, md5(i.id || ':' || (g % 4000)), v.vt, v.st, v.en, $5,
  'J06', v.amt, v.amt - v.wh, case when v.wh > 0 then 'withhold' else 'pass' end, md5(i.id || g),
  v.rcv, jsonb_build_object(
    'institutionId', i.id, 'claimId', 'B' || $5 || '-' || g, 'visitType', v.vt,
    'settledAt', to_char(v.settled at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'totalAmount', v.amt::text,
    'lines', jsonb_build_array(
      jsonb_strip_nulls(jsonb_build_object('lineId', '1', 'serviceAt', to_char(v.st at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), 'itemCode', '110200001', 'category', 'service', 'hospitalItemName', case when v.noname then null else '诊查费' end, 'quantity', 1, 'unitPrice', '20.00', 'amount', '20.00')),
      jsonb_strip_nulls(jsonb_build_object('lineId', '2', 'serviceAt', to_char(v.st at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), 'itemCode', 'XJ01CAA040A001', 'category', 'drug', 'hospitalItemName', '阿莫西林胶囊', 'specification', case when v.nospec then null else '0.25g*24粒' end, 'quantity', 2, 'unitPrice', '12.50', 'amount', '25.00')),
      jsonb_build_object('lineId', '3', 'serviceAt', to_char(v.st at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), 'itemCode', '250101001', 'category', 'lab', 'hospitalItemName', '血常规', 'quantity', 1, 'unitPrice', '25.00', 'amount', '25.00'),
      jsonb_build_object('lineId', '4', 'serviceAt', to_char(v.st at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), 'itemCode', '120100001', 'category', 'nursing', 'hospitalItemName', '护理费', 'quantity', 1, 'unitPrice', '10.00', 'amount', (v.amt - 70)::text))),
  '{}'::jsonb,
  4, v.noname::int, v.nospec::int, date_trunc('second', v.settled)
from unnest($1::text[], $2::int[], $3::float8[], $4::bool[]) as i(id, n, inp, ph)
cross join lateral generate_series(1, i.n) as g
cross join lateral (
  select t.*, t.settled + case when random() < 0.01 then interval '40 days' else interval '5 minutes' end as rcv
  from (
    select s.*, s.en + case when random() < 0.03 then (8 + floor(random() * 13)) * interval '1 day' else random() * interval '2 days' end as settled
    from (
      select vt, noname, nospec, st, st + case when vt = 'inpatient' then (1 + floor(random() * 14)) * interval '1 day' else interval '20 minutes' end as en,
             round((case when vt = 'inpatient' then 3000 + random() * 12000 when vt = 'pharmacy' then 80 + random() * 300 else 100 + random() * 600 end)::numeric, 2) as amt,
             case when random() < 0.08 then 20.00 else 0 end as wh
      from (select case when i.ph then 'pharmacy' when random() < i.inp then 'inpatient' else 'outpatient' end as vt,
                   random() < 0.01 as noname, random() < 0.02 as nospec,
                   ($5 || '-01')::timestamp - interval '8 hours' + random() * interval '27 days' as st0
            where g > 0) x
      cross join lateral (select x.st0 at time zone 'UTC' as st) y
    ) s
  ) t
) v`;

export const INSERT_FINDINGS = `
insert into findings (id, claim_id, source_claim_id, retrospective, rule_id, rule_version, family, severity, status,
  message, violating_lines, involved_lines, other_claims, amount, service_month, created_at, person_hash)
select gen_random_uuid(), c.id, c.id, false, r.rule_id, 1, r.family, r.severity, r.status,
  jsonb_build_object('zh', r.rule_id || ' 命中', 'en', r.rule_id || ' hit on line 2'), '["2"]', '[]', '[]',
  round((5 + random() * 200)::numeric, 2), c.service_month, c.received_at, c.person_hash
from claims c
cross join lateral (select (abs(hashtext(c.claim_no)) % 1000) as h) x
cross join lateral (
  select * from (values
    (0, 'DUP-SAME-LINE', 'duplicate', 'violation', 'active'), (1, 'PRICE-ABOVE-CEILING', 'price', 'violation', 'active'),
    (2, 'SPLIT-STAY', 'split-stay', 'medium', 'active'), (3, 'QTY-DAYS-SUPPLY', 'quantity', 'violation', 'active'),
    (4, 'RESTRICT-SEX', 'restriction', 'violation', 'active'), (5, 'SUB-STOCK-SHORTAGE', 'substitution', 'high', 'active'),
    (6, 'SUB-NAME-MISMATCH', 'substitution', 'low', 'trial'), (7, 'DUP-RESUBMITTED-VISIT', 'duplicate', 'high', 'active'))
    as r(k, rule_id, family, severity, status)
  where r.k = x.h % 8) r
where x.h < 60 + case when c.institution_id like '%1' then 120 else 0 end`;

export const INSERT_REJECTED = `
insert into rejected_submissions (received_at, channel, institution_id, claim_no, error_count, errors)
select ($1 || '-01')::timestamp at time zone 'UTC' + random() * interval '30 days', 'stream',
  (select institution_id from institutions order by institution_id offset (g % (select count(*) from institutions)) limit 1),
  'R' || g, 1, jsonb_build_array(jsonb_build_object('path', 'lines[' || (g % 5) || '].amount', 'message', 'must equal unitPrice × quantity'))
from generate_series(1, $2::int) g`;
