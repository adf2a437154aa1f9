-- The part of a charge beyond its reservation (settle's `over` field, micro-dollars; 0 normally and
-- for entries written before settle recorded it). The charge itself stays in cost_micros.
ALTER TABLE usage_records ADD COLUMN overage_micros bigint NOT NULL DEFAULT 0 CHECK (overage_micros >= 0);
