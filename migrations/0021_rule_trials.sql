-- An admin's extension of a rule's trial (rules start in trial for their first month, issue 19):
-- the day the trial ends instead of the rule's own, null for none.
ALTER TABLE "rule_settings" ADD COLUMN "trial_until" date;
