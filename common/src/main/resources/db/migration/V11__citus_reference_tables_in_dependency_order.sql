-- kiku_place_tables() placed reference tables alphabetically: model_prices, which references
-- products, went first, Citus turned products into a coordinator-local ("Citus local") table to
-- satisfy the foreign key, and the function then skipped products as already placed.
-- Now every table is placed after the tables it references (reference tables first, then accounts,
-- the colocation anchor, then the tables colocated with it), and a table listed as 'reference' that
-- Citus holds as anything else (a Citus local table left by the old order) is converted: Citus'
-- create_reference_table() accepts a Citus local table and replicates it to every node.
-- kiku_placement_order() is that order, on its own so that plain PostgreSQL tests can check it;
-- on plain PostgreSQL kiku_place_tables() still does nothing.

CREATE FUNCTION kiku_placement_order() RETURNS TABLE (table_name text, placement text) LANGUAGE sql STABLE AS $$
    WITH RECURSIVE listed AS (
        SELECT k.table_name, k.placement, k.table_name::regclass AS rel FROM kiku_tables k WHERE k.placement <> 'local'
    ), depth (rel, n) AS (
        -- a table is one level deeper than every listed table it references (bounded: no cycles here)
        SELECT rel, 0 FROM listed
        UNION ALL
        SELECT c.conrelid, d.n + 1
        FROM depth d
        JOIN pg_constraint c ON c.contype = 'f' AND c.confrelid = d.rel AND c.conrelid <> c.confrelid
        WHERE d.n < 32
    )
    SELECT l.table_name, l.placement
    FROM listed l JOIN depth d ON d.rel = l.rel
    GROUP BY l.table_name, l.placement
    ORDER BY l.placement = 'reference' DESC, l.table_name = 'accounts' DESC, max(d.n), l.table_name
$$;

CREATE OR REPLACE FUNCTION kiku_place_tables() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RETURN;
    END IF;
    FOR t IN SELECT o.table_name, o.placement FROM kiku_placement_order() o LOOP
        IF t.placement = 'reference' THEN
            -- repmodel 't' marks a reference table; anything else listed as reference is converted
            IF NOT EXISTS (SELECT 1 FROM pg_dist_partition
                           WHERE logicalrelid = t.table_name::regclass AND repmodel = 't') THEN
                PERFORM create_reference_table(t.table_name);
            END IF;
        ELSIF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = t.table_name::regclass) THEN
            CONTINUE;
        ELSIF t.table_name = 'accounts' THEN
            PERFORM create_distributed_table(t.table_name, 'account_id');
        ELSE
            PERFORM create_distributed_table(t.table_name, 'account_id', colocate_with => 'accounts');
        END IF;
    END LOOP;
END $$;

SELECT kiku_place_tables();
