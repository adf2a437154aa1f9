-- Per-key controls (issue 15; docs/key-controls.md), all nullable: NULL is unlimited, as every key
-- was before. Spend caps in micro-dollars, in total and per UTC calendar month; allowed_models the
-- catalogue model names the key may call, one per line (names never contain a line break; the
-- reactive client reads no text[] column); expires_at the instant from which the key is refused;
-- tokens_per_minute beside rate_limit_per_minute. Enforced by api-service in reserve.lua from the
-- key hash billing publishes.
-- One statement per column and per constraint: Citus refuses ADD COLUMN with an inline constraint on a
-- distributed table.
ALTER TABLE api_keys ADD COLUMN spend_cap_micros bigint;
ALTER TABLE api_keys ADD COLUMN monthly_spend_cap_micros bigint;
ALTER TABLE api_keys ADD COLUMN allowed_models text;
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
ALTER TABLE api_keys ADD COLUMN tokens_per_minute integer;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_spend_cap_micros_check CHECK (spend_cap_micros >= 0);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_monthly_spend_cap_micros_check CHECK (monthly_spend_cap_micros >= 0);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_tokens_per_minute_check CHECK (tokens_per_minute > 0);
