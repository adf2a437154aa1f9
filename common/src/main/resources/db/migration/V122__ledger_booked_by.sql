-- Who booked an operator's adjustment (POST /admin/v1/accounts/{id}/adjustments): the operator its bearer token
-- verified (a kiku.admin.operators.<name>, or "admin-token" for the shared token, then with the unverified
-- X-Operator claim beside it as "admin-token (says: alice)"). NULL for every other entry (payments, usage, ...)
-- and for adjustments booked before this column: they were unattributed.
-- The ledger stays append-only: the value is written with the row's INSERT, never afterwards. A nullable column
-- without a default is added without rewriting the table; one statement, no inline constraint (Citus refuses
-- ADD COLUMN with one on a distributed table).
ALTER TABLE ledger_entries ADD COLUMN booked_by text;
