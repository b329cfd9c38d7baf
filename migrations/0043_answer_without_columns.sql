-- A claim's answer stored without the fields its own columns hold (issue 20: the WAL a claim).
-- Written by hand.
--
-- The answer the intake gave (src/claims/answer.ts) repeats seven of the claim's columns: its id,
-- institution, claim number, decision, total and payable amounts and service month, ~200 of its
-- ~325 bytes. With them the row (~2,080 bytes: the body compressed to ~1,450, the answer, the window
-- lines) passed the 2,032 bytes past which PostgreSQL moves the body to the TOAST table, so 60 % of
-- the claims wrote a TOAST row and a TOAST index entry besides their own. The intake's statement now
-- stores `answer` without those keys; claim_answer(c) gives the answer whole, the columns' values
-- over what is stored, so a row stored before (its answer whole) gives the same.
CREATE FUNCTION claim_answer(c claims) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT c.answer || jsonb_build_object('id', c.id, 'institutionId', c.institution_id, 'claimId', c.claim_no,
    'decision', c.decision, 'totalAmount', c.total_amount::text, 'payableAmount', c.payable_amount::text,
    'serviceMonth', c.service_month)
$$;
