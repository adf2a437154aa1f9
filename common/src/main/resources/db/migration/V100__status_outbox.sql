-- billing-service: the status outbox (issue 12, section 3: revocations and suspensions that stick).
-- A key revocation or an account status change is committed together with a row here. A worker
-- publishes the account's or key's then-current PostgreSQL state to Redis (and the notify event
-- the row carries) and deletes the row only once Redis accepted it; while Redis refuses, the row
-- is retried with backoff. Distributed on account_id, colocated with accounts, so the row is
-- written in the same (single-shard) transaction as the status it announces. Times are always
-- passed as parameters (no now() in statements on distributed tables).

CREATE SEQUENCE status_outbox_id_seq;

CREATE TABLE status_outbox (
    account_id      bigint NOT NULL,
    outbox_id       bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('account', 'key')),
    key_id          bigint,
    event           text,              -- a kiku:notify event (JSON of its fields) to publish after the state
    created_at      timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    PRIMARY KEY (account_id, outbox_id)
);
CREATE INDEX status_outbox_due ON status_outbox (next_attempt_at);

INSERT INTO kiku_tables (table_name, placement, owner) VALUES
    ('status_outbox', 'distributed', 'billing-service');

SELECT kiku_place_tables();
