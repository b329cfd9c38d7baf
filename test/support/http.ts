/** Response bodies in tests are asserted field by field, so they are typed loosely here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: Response): Promise<any> => res.json();
