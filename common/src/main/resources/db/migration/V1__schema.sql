-- KikuAI schema, designed to be sharded by Citus on account_id.
-- Rules (checked by CitusReadinessTest on plain PostgreSQL):
--  * every table is listed in kiku_tables with its placement and the one service that writes it;
--  * a distributed table has account_id in its primary key and in every unique constraint;
--  * foreign keys join distributed tables on account_id (colocated) or point to reference tables.
-- kiku_place_tables() distributes the listed tables when the citus extension is present and does
-- nothing on plain PostgreSQL; every migration that adds tables calls it at its end.

CREATE TABLE kiku_tables (
    table_name text PRIMARY KEY,
    placement  text NOT NULL CHECK (placement IN ('distributed', 'reference', 'local')),
    owner      text NOT NULL
);

CREATE FUNCTION kiku_place_tables() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RETURN;
    END IF;
    -- Reference tables first (foreign keys point at them), then accounts (the colocation anchor).
    FOR t IN SELECT table_name, placement FROM kiku_tables
             WHERE placement <> 'local'
             ORDER BY placement = 'reference' DESC, table_name = 'accounts' DESC, table_name LOOP
        IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t.table_name::regclass) THEN
            CONTINUE;
        END IF;
        IF t.placement = 'reference' THEN
            PERFORM create_reference_table(t.table_name);
        ELSIF t.table_name = 'accounts' THEN
            PERFORM create_distributed_table(t.table_name, 'account_id');
        ELSE
            PERFORM create_distributed_table(t.table_name, 'account_id', colocate_with => 'accounts');
        END IF;
    END LOOP;
END $$;

-- Accounts ------------------------------------------------------------------------------------

CREATE SEQUENCE account_id_seq START WITH 1001;

CREATE TABLE accounts (
    account_id                    bigint PRIMARY KEY,
    telegram_user_id              bigint,
    display_name                  text,
    status                        text NOT NULL DEFAULT 'active'
                                  CHECK (status IN ('active', 'suspended', 'closed')),
    low_balance_threshold_micros  bigint NOT NULL DEFAULT 1000000 CHECK (low_balance_threshold_micros >= 0),
    default_rate_limit_per_minute integer NOT NULL DEFAULT 600 CHECK (default_rate_limit_per_minute > 0),
    created_at                    timestamptz NOT NULL DEFAULT now(),
    updated_at                    timestamptz NOT NULL DEFAULT now()
);

-- The lookup that makes account creation idempotent on the Telegram user. A reference table
-- (replicated to every node): it is keyed by the Telegram user, not the account.
CREATE TABLE telegram_identities (
    telegram_user_id bigint PRIMARY KEY,
    account_id       bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE api_key_id_seq START WITH 1001;

CREATE TABLE api_keys (
    account_id            bigint NOT NULL REFERENCES accounts (account_id),
    key_id                bigint NOT NULL,
    key_hash              text NOT NULL,            -- SHA-256 hex of the plaintext; the plaintext is never stored
    prefix                text NOT NULL,            -- first characters, for people to recognise a key
    name                  text NOT NULL,
    rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute > 0),
    status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    created_at            timestamptz NOT NULL DEFAULT now(),
    last_used_at          timestamptz,
    revoked_at            timestamptz,
    PRIMARY KEY (account_id, key_id),
    UNIQUE (account_id, key_hash)
);

-- Money ---------------------------------------------------------------------------------------

-- Append-only. Credits are positive, debits negative. external_ref names the fact (Paddle
-- transaction or adjustment id, request id, adjustment idempotency key), so replaying the same
-- fact never books it twice.
CREATE TABLE ledger_entries (
    account_id    bigint NOT NULL REFERENCES accounts (account_id),
    entry_id      bigserial,
    kind          text NOT NULL CHECK (kind IN ('payment', 'refund', 'chargeback', 'chargeback_reverse',
                                                'adjustment', 'usage', 'reconciliation')),
    amount_micros bigint NOT NULL,
    external_ref  text NOT NULL,
    description   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, entry_id),
    UNIQUE (account_id, external_ref)
);

CREATE TABLE usage_records (
    account_id    bigint NOT NULL REFERENCES accounts (account_id),
    request_id    text NOT NULL,
    key_id        bigint NOT NULL,
    product       text NOT NULL,
    model         text NOT NULL,
    input_tokens  bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    cost_micros   bigint NOT NULL,
    late          boolean NOT NULL DEFAULT false,
    occurred_at   timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, request_id)
);
CREATE INDEX usage_records_account_time ON usage_records (account_id, occurred_at);

CREATE TABLE usage_hourly (
    account_id    bigint NOT NULL REFERENCES accounts (account_id),
    hour          timestamptz NOT NULL,
    key_id        bigint NOT NULL,
    model         text NOT NULL,
    requests      bigint NOT NULL,
    input_tokens  bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cost_micros   bigint NOT NULL,
    PRIMARY KEY (account_id, hour, key_id, model)
);

-- Catalogue (reference tables: small, read everywhere) -----------------------------------------

CREATE TABLE products (
    product_id               text PRIMARY KEY,
    name                     text NOT NULL,
    description              text,
    price_per_request_micros bigint NOT NULL CHECK (price_per_request_micros >= 0),
    active                   boolean NOT NULL DEFAULT true
);

CREATE TABLE model_prices (
    model                     text PRIMARY KEY,
    product_id                text NOT NULL REFERENCES products (product_id),
    input_per_million_micros  bigint NOT NULL DEFAULT 0 CHECK (input_per_million_micros >= 0),
    output_per_million_micros bigint NOT NULL DEFAULT 0 CHECK (output_per_million_micros >= 0),
    max_output_tokens         integer NOT NULL DEFAULT 4096 CHECK (max_output_tokens > 0)
);

CREATE TABLE credit_packs (
    paddle_price_id text PRIMARY KEY,
    name            text NOT NULL,
    credits_micros  bigint NOT NULL CHECK (credits_micros > 0),
    price_label     text NOT NULL,
    active          boolean NOT NULL DEFAULT true
);

-- Webhook inbox (local to the coordinator: not keyed by account when it arrives) --------------

CREATE TABLE paddle_events (
    event_id        text PRIMARY KEY,
    event_type      text NOT NULL,
    notification_id text,
    occurred_at     timestamptz,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'received'
                    CHECK (status IN ('received', 'processed', 'ignored', 'held', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz
);
CREATE INDEX paddle_events_due ON paddle_events (status, next_attempt_at);

INSERT INTO kiku_tables (table_name, placement, owner) VALUES
    ('kiku_tables',         'local',       'migrations'),
    ('accounts',            'distributed', 'billing-service'),
    ('api_keys',            'distributed', 'billing-service'),
    ('ledger_entries',      'distributed', 'billing-service'),
    ('usage_records',       'distributed', 'billing-service'),
    ('usage_hourly',        'distributed', 'billing-service'),
    ('telegram_identities', 'reference',   'billing-service'),
    ('products',            'reference',   'billing-service'),
    ('model_prices',        'reference',   'billing-service'),
    ('credit_packs',        'reference',   'billing-service'),
    ('paddle_events',       'local',       'webhook-service');

SELECT kiku_place_tables();
