-- The part of a charge beyond its reservation (settle's `over` field, micro-dollars; 0 normally and
-- for entries written before settle recorded it). The charge itself stays in cost_micros.
-- Two statements: Citus refuses ADD COLUMN with an inline (unnamed) constraint on a distributed table.
ALTER TABLE usage_records ADD COLUMN overage_micros bigint NOT NULL DEFAULT 0;
ALTER TABLE usage_records ADD CONSTRAINT usage_records_overage_micros_check CHECK (overage_micros >= 0);
