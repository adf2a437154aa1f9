-- Per-request usage listing (GET /api/v1/usage/requests and its CSV export) pages newest first by keyset over
-- (occurred_at, request_id) within one account. With request_id in the index, the keyset condition and the
-- order are both served by one backward index range scan: no sort of an account's rows at equal times, and
-- a deep page costs what the first does. It covers every query the old (account_id, occurred_at) index served.
CREATE INDEX usage_records_account_time_request ON usage_records (account_id, occurred_at, request_id);
DROP INDEX usage_records_account_time;

-- Catalogue changes made through billing's admin API (/admin/v1/catalogue/...), each written in the transaction
-- of the change it records: who (the X-Operator header, else "admin-token"), when, which entity and key, and the
-- row before and after as JSON (null before a creation). A reference table like the catalogue it describes, so
-- that the change and its audit row commit together on Citus. Times are passed as parameters.
CREATE SEQUENCE catalogue_audit_id_seq;

CREATE TABLE catalogue_audit (
    audit_id   bigint PRIMARY KEY,
    changed_at timestamptz NOT NULL,
    changed_by text NOT NULL,
    entity     text NOT NULL CHECK (entity IN ('product', 'model', 'credit_pack')),
    entity_key text NOT NULL,
    action     text NOT NULL CHECK (action IN ('create', 'update', 'retire')),
    old_value  jsonb,
    new_value  jsonb
);

INSERT INTO kiku_tables (table_name, placement, owner) VALUES
    ('catalogue_audit', 'reference', 'billing-service');

SELECT kiku_place_tables();
