import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from './support/http.js';
import { seedReference } from './support/reference.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
  await seedReference(svc, {
    institutions: [{ id: 'H32010200001', level: 'secondary' }],
    items: [{ code: '001109000010000', name: '普通病房床位费', category: 'bed', ceiling: { secondary: '40.00' } }],
  });
});
afterAll(async () => {
  await svc?.close();
});

const order = (o: Record<string, unknown>) => ({
  rx_id: 'R1',
  rxno: '',
  grpno: null,
  long_drord_flag: '0',
  hilist_type: '201',
  chrg_type: '01',
  drord_bhvr: '',
  hilist_code: '001109000010000',
  hilist_name: '普通病房床位费',
  hosplist_code: 'CW001',
  hosplist_name: '床位费(三人间)',
  cnt: '1',
  pric: '45.000000',
  sumamt: '45.00',
  spec: '',
  spec_unt: null,
  drord_begn_date: '2026-10-02 08:00:00',
  drord_stop_date: '',
  drord_dept_codg: '0301',
  drord_dept_name: '呼吸内科',
  drord_dr_codg: 'D001',
  curr_drord_flag: '1',
  ...o,
});

/** Shaped as the platform's integrations send it: numbers as strings, "" and null for empty. */
function request3101() {
  return {
    infno: '3101',
    msgid: 'H3201020000120261004093000001',
    mdtrtarea_admvs: '320100',
    insuplc_admdvs: '320100',
    recer_sys_code: 'HIS',
    infver: 'V1.0',
    opter_type: '1',
    opter: 'D001',
    opter_name: '',
    inf_time: '2026-10-04 09:30:00',
    fixmedins_code: 'H32010200001',
    fixmedins_name: '示例医院',
    input: {
      data: {
        syscode: 'HIS',
        task_id: 'T-0001',
        trig_scen: '2',
        rule_ids: null,
        patient_dtos: [
          {
            patn_id: '320102195803140012',
            patn_name: '张三',
            gend: '1',
            brdy: '1958-03-14',
            poolarea: '320100',
            curr_mdtrt_id: 'ZY001',
            fsi_encounter_dtos: [
              {
                mdtrt_id: 'ZY001',
                medins_id: 'H32010200001',
                medins_name: '示例医院',
                medins_admdvs: '320102',
                medins_type: '1',
                medins_lv: '2',
                wardarea_codg: '',
                wardno: null,
                bedno: '',
                adm_date: '2026-10-01 08:00:00',
                dscg_date: '2026-10-05 10:00:00',
                dscg_main_dise_codg: 'J18.900',
                dscg_main_dise_name: '肺炎',
                med_mdtrt_type: '2',
                med_type: '21',
                matn_stas: '0',
                medfee_sumamt: 90,
                ownpay_amt: '',
                selfpay_amt: null,
                acct_payamt: '',
                ma_amt: '',
                hifp_payamt: '',
                setl_totlnum: 0,
                insutype: '310',
                reim_flag: '0',
                out_setl_flag: '0',
                fsi_diagnose_dtos: [{ dise_id: '1', inout_dise_type: '2', maindise_flag: '1', dias_srt_no: 1, dise_codg: 'J18.900', dise_name: '肺炎', dise_date: '2026-10-01' }],
                fsi_order_dtos: [order({}), order({ rx_id: 'R2', drord_begn_date: '2026-10-03 08:00:00' })],
                fsi_operation_dtos: null,
              },
            ],
          },
        ],
      },
    },
  };
}

describe('national interface 3101/3102/3103', () => {
  it('answers a real-shaped 3101 request in the platform’s result shape', async () => {
    const res = await svc.call('/v1/national/3101', { json: request3101() });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.infcode).toBe(0);
    const price = body.output.result.filter((r: { rule_id: string }) => r.rule_id === 'PRICE-ABOVE-CEILING');
    expect(price).toHaveLength(2);
    expect(price[0]).toMatchObject({
      patn_id: '320102195803140012',
      mdtrt_id: 'ZY001',
      vola_amt: '5.00',
      vola_amt_stas: '1',
      sev_deg: '明确违规',
      vola_bhvr_type: '超标准收费',
      task_id: 'T-0001',
      judge_result_detail_dtos: [{ rx_id: 'R1', vola_item_type: '1', vola_amt: '5.00', mdtrt_id: 'ZY001' }],
    });
    expect(price[0].vola_cont).toContain('床位费(三人间)');
    expect(price[0].jr_id).toMatch(/^[0-9a-f-]{36}$/);
    // nothing is stored as a claim: the visit may still change before settlement
    const claims = await svc.deps.database.query<{ n: number }>('select count(*)::int as n from claims');
    expect(claims[0]?.n).toBe(0);
  });

  it('uses the earlier visits the caller sends as history', async () => {
    const req = request3101();
    const p = req.input.data.patient_dtos[0]!;
    p.fsi_encounter_dtos.push({
      ...p.fsi_encounter_dtos[0]!,
      mdtrt_id: 'MZ000',
      med_type: '11',
      med_mdtrt_type: '1',
      adm_date: '2026-10-02 08:00:00',
      dscg_date: '',
      fsi_order_dtos: [order({ rx_id: 'M1' })],
    });
    const body = await json(await svc.call('/v1/national/3102', { json: req }));
    // the earlier outpatient visit billed the same bed fee at the same time: R1 duplicates M1
    const dup = body.output.result.find((r: { rule_id: string }) => r.rule_id === 'DUP-SAME-LINE');
    expect(dup).toMatchObject({ mdtrt_id: 'ZY001', vola_amt: '45.00', sev_deg: '明确违规', vola_bhvr_type: '重复收费' });
    expect(dup.judge_result_detail_dtos).toEqual([expect.objectContaining({ mdtrt_id: 'ZY001', rx_id: 'R1', vola_item_type: '1', vola_amt: '45.00' })]);
    expect(dup.vola_cont).toContain('MZ000');
  });

  it('stores 3103 feedback against the violations answered, and refuses ids it never answered', async () => {
    const answered = await json(await svc.call('/v1/national/3101', { json: request3101() }));
    const id = answered.output.result[0].jr_id;
    const ok = await svc.call('/v1/national/3103', { json: { infno: '3103', input: { data: [{ warn_rslt_id: id, dspo_way: '1', dspo_way_rea: '医生已修改医嘱' }] } } });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toEqual({ infcode: 0, err_msg: '', output: { accepted: 1 } });
    const rows = await svc.deps.database.query<{ disposition: string; reason: string; kind: string }>('select disposition, reason, kind from national_feedback where result_id = $1', [id]);
    expect(rows).toEqual([{ disposition: '1', reason: '医生已修改医嘱', kind: 'national' }]);

    const bad = await svc.call('/v1/national/3103', { json: { input: { data: { warn_rslt_id: 'nope', dspo_way: '1', dspo_way_rea: null } } } });
    expect(bad.status).toBe(400);
    const body = await json(bad);
    expect(body.infcode).toBe(-1);
    expect(body.error.details).toEqual([{ path: 'input.data.warn_rslt_id', message: 'names no violation this service answered (nope)' }]);
  });

  it('refuses a malformed request naming the platform’s fields', async () => {
    const req = request3101();
    const p = req.input.data.patient_dtos[0]!;
    (p as Record<string, unknown>).patn_id = '';
    p.fsi_encounter_dtos[0]!.fsi_order_dtos[1]!.sumamt = '46.00';
    const res = await svc.call('/v1/national/3101', { json: req });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.infcode).toBe(-1);
    const paths = body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('input.data.patient_dtos[0].patn_id');
  });

  it('never stores the patient’s id or name', async () => {
    const dump = await svc.deps.database.query<{ t: string }>(
      `select t::text as t from national_reviews t union all select t::text from national_results t union all select t::text from national_feedback t`,
    );
    const text = dump.map((r) => r.t).join('\n');
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain('320102195803140012');
    expect(text).not.toContain('张三');
  });
});
