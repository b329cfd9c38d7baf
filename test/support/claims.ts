/** A valid claim to start tests from; each test changes what it is about. */
export function inpatientClaim(overrides: Record<string, unknown> = {}) {
  return {
    institutionId: 'H32010200001',
    claimId: `ZY-${Math.random().toString(36).slice(2, 10)}`,
    insured: { id: '320102195803140012', sex: 'male', birthDate: '1958-03-14' },
    visitType: 'inpatient',
    medType: '21',
    admittedAt: '2026-10-01 08:00:00',
    dischargedAt: '2026-10-05T10:00:00+08:00',
    diagnoses: [{ code: 'J18.900', name: '肺炎', main: true }],
    lines: [
      {
        lineId: 'L1',
        itemCode: '110200005',
        hospitalItemCode: 'ZC01',
        hospitalItemName: '住院诊查费',
        category: 'service',
        serviceAt: '2026-10-01 09:00:00',
        quantity: 1,
        unitPrice: '20.00',
        amount: '20.00',
      },
      { lineId: 'L2', itemCode: '120100001', hospitalItemCode: 'CW01', hospitalItemName: '床位费', category: 'bed', serviceAt: '2026-10-01 09:00:00', quantity: 4, unitPrice: 45, amount: 180 },
      {
        lineId: 'L3',
        itemCode: 'XJ01DDA040A001010100001',
        hospitalItemCode: 'YP88',
        hospitalItemName: '头孢曲松钠注射液',
        category: 'drug',
        serviceAt: '2026-10-02 09:00:00',
        quantity: '3',
        unitPrice: '12.3333',
        amount: '37.00',
        specification: '1g',
        daysOfSupply: 3,
      },
    ],
    totalAmount: '237.00',
    payment: { fund: '180.00', personalAccount: '20.00', cash: '37.00' },
    ...overrides,
  };
}

export function outpatientClaim(overrides: Record<string, unknown> = {}) {
  return {
    institutionId: 'H32010200001',
    claimId: `MZ-${Math.random().toString(36).slice(2, 10)}`,
    insured: { id: '320102199001010021', sex: 'female', birthDate: '1990-01-01' },
    visitType: 'outpatient',
    visitAt: '2026-10-03 10:00:00',
    diagnoses: [{ code: 'J06.900', main: true }],
    lines: [{ lineId: '1', itemCode: '110100001', hospitalItemName: '普通门诊诊查费', category: 'service', serviceAt: '2026-10-03 10:00:00', quantity: 1, unitPrice: 10, amount: 10 }],
    totalAmount: 10,
    payment: { fund: 6, personalAccount: 0, cash: 4 },
    ...overrides,
  };
}
