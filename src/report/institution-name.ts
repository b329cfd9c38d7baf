/** An institution as the report names it: its record in force at the end of the month. */
export interface InstitutionName {
  name: string;
  type: string;
  level: string;
  ownership: string;
}
