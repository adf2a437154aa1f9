-- Per-request usage listing (GET /api/v1/usage/requests and its CSV export) pages newest first by keyset over
-- (occurred_at, request_id) within one account. With request_id in the index, the keyset condition and the
-- order are both served by one backward index range scan: no sort of an account's rows at equal times, and
-- a deep page costs what the first does. It covers every query the old (account_id, occurred_at) index served.
CREATE INDEX usage_records_account_time_request ON usage_records (account_id, occurred_at, request_id);
DROP INDEX usage_records_account_time;
