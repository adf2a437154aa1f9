package ai.kiku.common.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a database's catalogue and lists every way its tables would stop Citus from sharding
 * them on account_id. Works on plain PostgreSQL: the rules are checked, not Citus itself.
 */
final class CitusRules {

    private CitusRules() {
    }

    static List<String> violations(Connection db) throws SQLException {
        Map<String, String> placement = new HashMap<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT table_name, placement FROM kiku_tables")) {
            while (rs.next()) {
                placement.put(rs.getString(1), rs.getString(2));
            }
        }
        List<String> problems = new ArrayList<>();
        for (String table : publicTables(db)) {
            if (!placement.containsKey(table) && !table.equals("flyway_schema_history")) {
                problems.add(table + ": not listed in kiku_tables (placement unknown)");
            }
        }
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT c.conrelid::regclass::text, c.conname, c.contype,
                            array(SELECT a.attname FROM unnest(c.conkey) k
                                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k)::text[],
                            coalesce(c.confrelid::regclass::text, ''),
                            array(SELECT a.attname FROM unnest(coalesce(c.confkey, '{}'::smallint[])) k
                                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k)::text[]
                     FROM pg_constraint c
                     JOIN pg_namespace n ON n.oid = c.connamespace
                     WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f')
                     """)) {
            while (rs.next()) {
                String table = rs.getString(1);
                String name = rs.getString(2);
                String type = rs.getString(3);
                List<String> columns = List.of((String[]) rs.getArray(4).getArray());
                String target = rs.getString(5);
                List<String> targetColumns = List.of((String[]) rs.getArray(6).getArray());
                String kind = placement.get(table);
                if ("distributed".equals(kind) && !type.equals("f") && !columns.contains("account_id")) {
                    problems.add(table + "." + name + ": distributed table's "
                            + (type.equals("p") ? "primary key" : "unique constraint") + " lacks account_id");
                }
                if (type.equals("f")) {
                    String targetKind = placement.get(target);
                    boolean toReference = "reference".equals(targetKind);
                    boolean colocated = "distributed".equals(kind) && "distributed".equals(targetKind)
                            && columns.indexOf("account_id") >= 0
                            && "account_id".equals(targetColumns.get(columns.indexOf("account_id")));
                    if (!toReference && !colocated) {
                        problems.add(table + "." + name + ": foreign key to " + target
                                + " is neither colocated on account_id nor to a reference table");
                    }
                }
            }
        }
        return problems;
    }

    private static List<String> publicTables(Connection db) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery(
                     "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }
}
