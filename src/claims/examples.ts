/**
 * The claim and the answer shown in the OpenAPI document for POST /v1/claims.
 * test/openapi-contract.test.ts submits the claim to the service and checks that its answer is this one.
 */
export const CLAIM_EXAMPLE = {
  institutionId: 'H32010200001',
  claimId: 'MZ2026100300017',
  insured: { id: '320102199001010021', sex: 'female', birthDate: '1990-01-01' },
  visitType: 'outpatient',
  visitAt: '2026-10-03 10:00:00',
  diagnoses: [{ code: 'J06.900', main: true }],
  lines: [
    { lineId: '1', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: '1', unitPrice: '10.00', amount: '10.00' },
    { lineId: '2', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: '1', unitPrice: '10.00', amount: '10.00' },
  ],
  totalAmount: '20.00',
  payment: { fund: '12.00', personalAccount: '0.00', cash: '8.00' },
};

/** The service's answer to CLAIM_EXAMPLE on a database with no reference data loaded: the institution is not designated, and line 2 repeats line 1. */
export const ANSWER_EXAMPLE = {
  id: '9cd99ab4-1550-4311-896b-1dc7a63e4745',
  institutionId: 'H32010200001',
  claimId: 'MZ2026100300017',
  decision: 'withhold',
  totalAmount: '20.00',
  payableAmount: '0.00',
  withheldAmount: '20.00',
  withheldLines: [
    { lineId: '1', amount: '10.00' },
    { lineId: '2', amount: '10.00' },
  ],
  findings: [
    {
      id: '877b1821-c0cf-4cde-be75-a7b218f9e8fb',
      ruleId: 'NON-DESIGNATED',
      ruleVersion: 1,
      family: 'non-designated',
      severity: 'violation',
      status: 'active',
      message: {
        zh: '机构 H32010200001 在 2026-10-03 非定点 (医保未登记该定点机构), 2 行共 20.00 元不予支付',
        en: 'Institution H32010200001 was not designated on 2026-10-03 (the fund has no designation record for it); 2 lines, 20.00 yuan not payable',
      },
      violatingLines: ['1', '2'],
      involvedLines: [],
      otherClaims: [],
      amount: '20.00',
    },
    {
      id: 'b6f59ad3-f80a-4a2c-a75a-5f202219c7da',
      ruleId: 'DUP-SAME-LINE',
      ruleVersion: 1,
      family: 'duplicate',
      severity: 'violation',
      status: 'active',
      message: {
        zh: '普通门诊诊查费 于 2026-10-03 10:00 重复收费: 行 2 与本结算单行 1 相同, 涉及金额 10.00 元',
        en: '普通门诊诊查费 billed twice at 2026-10-03 10:00: line 2 repeats line 1 of this claim; 10.00 yuan at issue',
      },
      violatingLines: ['2'],
      involvedLines: ['1'],
      otherClaims: [],
      amount: '10.00',
    },
  ],
  serviceMonth: '2026-10',
  screenedAt: '2026-12-02T14:04:05.181Z',
};
