-- The ledger is append-only in the database itself, not only by convention of the code: a trigger
-- refuses every UPDATE, DELETE and TRUNCATE of ledger_entries, whoever sends it. A correction is a
-- new entry (an adjustment), never an edit. The one way around it is explicit and visible: the table
-- owner runs ALTER TABLE ledger_entries DISABLE TRIGGER ... (nothing in the code or tests does).
-- On Citus the trigger is created on the distributed table, which Citus allows only with
-- citus.enable_unsafe_triggers (it then propagates function and trigger to every shard).

CREATE FUNCTION kiku_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'book a correcting entry (an adjustment) instead';
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    END IF;
END $$;

CREATE TRIGGER ledger_entries_append_only
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION kiku_ledger_append_only();

CREATE TRIGGER ledger_entries_no_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION kiku_ledger_append_only();
