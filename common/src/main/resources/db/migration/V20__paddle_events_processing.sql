-- webhook-service: what processing an inbox event needs beyond the V1 columns.
--  * entity_id: data.id of the event (txn_... / adj_...), so a refund finds the transaction.completed
--    it adjusts without scanning payloads;
--  * account_id and outcome: the account credited and what was granted per transaction line item
--    (credits per txnitm_... id), so refunds debit exactly what the payment granted even after the
--    catalogue changed.
-- paddle_events stays a local (coordinator) table: no new table, placement unchanged.

ALTER TABLE paddle_events
    ADD COLUMN entity_id  text,
    ADD COLUMN account_id bigint,
    ADD COLUMN outcome    jsonb;

CREATE INDEX paddle_events_entity ON paddle_events (entity_id, event_type);

SELECT kiku_place_tables();
