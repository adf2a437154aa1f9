package ai.kiku.common.schema;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statement rules Citus enforces on tables it manages (distributed and reference), checked on
 * the SQL text so that plain PostgreSQL tests catch what only a Citus cluster would refuse:
 * <ol>
 *   <li>times are passed as parameters: no {@code now()}, {@code current_timestamp},
 *       {@code clock_timestamp()} and the like in a statement on such a table;</li>
 *   <li>no STABLE or VOLATILE function (or operator, such as {@code timestamptz + interval}) over a
 *       column reference in an UPDATE's SET, a CASE or a COALESCE ("STABLE functions used in UPDATE
 *       queries cannot be called with column references", "non-IMMUTABLE functions are not allowed
 *       in CASE or COALESCE statements");</li>
 *   <li>nothing but IMMUTABLE expressions in RETURNING.</li>
 * </ol>
 * Over a parameter alone such an expression is fine: Citus evaluates it once on the coordinator.
 */
public final class CitusStatementRules {

    /** Clock readings: the server's time never goes into a statement on a Citus table. */
    static final Pattern CLOCK = Pattern.compile("(?i)\\b(now\\s*\\(|current_timestamp\\b|current_time\\b|current_date\\b"
            + "|localtimestamp\\b|localtime\\b|clock_timestamp\\s*\\(|statement_timestamp\\s*\\(|transaction_timestamp\\s*\\("
            + "|timeofday\\s*\\()");

    /** Functions that are not IMMUTABLE in any of their forms this project could use. */
    private static final Pattern NON_IMMUTABLE_CALL = Pattern.compile("(?i)\\b(random|nextval|currval|setval|gen_random_uuid"
            + "|to_char|to_timestamp|to_date|date_trunc|date_part|age|txid_current|pg_current_xact_id|timezone)\\s*\\(");

    /** Values of types whose arithmetic and conversions depend on the session's TimeZone (STABLE). */
    private static final Pattern ZONED = Pattern.compile("(?i)(\\btimestamptz\\b|\\btimestamp\\s+with\\s+time\\s+zone\\b"
            + "|\\binterval\\b|::\\s*date\\b|::\\s*timestamp\\b)");

    private static final Pattern TABLE = Pattern.compile("(?i)\\b(?:FROM|JOIN|INTO|UPDATE|USING)\\s+(?:ONLY\\s+)?"
            + "([a-z_][a-z0-9_]*)");

    private static final Set<String> WORDS = Set.of("select", "from", "where", "and", "or", "not", "null", "is", "true",
            "false", "case", "when", "then", "else", "end", "as", "in", "any", "all", "some", "between", "like", "ilike",
            "distinct", "exists", "coalesce", "nullif", "greatest", "least", "array", "cast", "interval", "timestamptz",
            "timestamp", "with", "time", "zone", "at", "date", "bigint", "integer", "int", "text", "boolean", "numeric",
            "smallint", "double", "precision", "jsonb", "json", "varchar", "default", "excluded", "filter", "over",
            "order", "by", "asc", "desc", "limit", "returning", "set", "values", "on", "conflict", "do", "nothing",
            "update", "local", "epoch", "infinity", "row", "unnest", "left", "inner", "outer", "join", "using", "into",
            "escape", "similar", "to", "isnull", "notnull", "current_timestamp", "current_date", "current_time",
            "localtimestamp", "localtime");

    private CitusStatementRules() {
    }

    /** The problems of one statement; {@code citusTables} are the distributed and reference tables. */
    public static List<String> violations(String sql, Set<String> citusTables) {
        String text = withoutStrings(sql);
        Set<String> touched = new LinkedHashSet<>();
        Matcher t = TABLE.matcher(text);
        while (t.find()) {
            String name = t.group(1).toLowerCase(Locale.ROOT);
            if (citusTables.contains(name)) {
                touched.add(name);
            }
        }
        List<String> problems = new ArrayList<>();
        if (touched.isEmpty()) {
            return problems;
        }
        Matcher clock = CLOCK.matcher(text);
        if (clock.find()) {
            problems.add("reads the server clock (" + clock.group(1).replaceAll("\\s", "") + ") in a statement on "
                    + touched + ": pass the time as a parameter");
        }
        for (String expr : updateSetExpressions(text)) {
            check(problems, "UPDATE SET", expr);
        }
        for (String expr : blocks(text, "case", "end")) {
            check(problems, "CASE", expr);
        }
        for (String expr : calls(text, "coalesce")) {
            check(problems, "COALESCE", expr);
        }
        Matcher returning = Pattern.compile("(?is)\\bRETURNING\\b(.*)$").matcher(text);
        if (returning.find() && nonImmutable(returning.group(1))) {
            problems.add("non-IMMUTABLE expression in RETURNING: " + returning.group(1).strip());
        }
        return problems;
    }

    /**
     * DDL Citus refuses on its tables: ADD COLUMN with an inline constraint (Citus needs every
     * constraint named: "cannot execute ADD COLUMN command with PRIMARY KEY, UNIQUE, FOREIGN and
     * CHECK constraints"). Add the column, then the named constraint, in two statements.
     */
    static List<String> ddlViolations(String sql, Set<String> citusTables) {
        String text = withoutStrings(sql);
        List<String> problems = new ArrayList<>();
        Matcher alter = Pattern.compile("(?is)^\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?([a-z_][a-z0-9_]*)\\s+(.*)$")
                .matcher(text);
        if (!alter.find() || !citusTables.contains(alter.group(1).toLowerCase(Locale.ROOT))) {
            return problems;
        }
        for (String action : splitTopLevel(alter.group(2))) {
            if (Pattern.compile("(?is)^\\s*ADD\\s+(COLUMN\\b|(?!CONSTRAINT\\b|PRIMARY\\b|UNIQUE\\b|FOREIGN\\b|CHECK\\b|EXCLUDE\\b))")
                    .matcher(action).find()
                    && Pattern.compile("(?i)\\b(CHECK|UNIQUE|PRIMARY\\s+KEY|REFERENCES)\\b").matcher(action).find()) {
                problems.add("ADD COLUMN with an inline constraint on " + alter.group(1)
                        + ": add the column, then ADD CONSTRAINT <name>, in separate statements");
            }
        }
        return problems;
    }

    private static void check(List<String> problems, String where, String expr) {
        if (nonImmutable(expr) && hasColumnReference(expr)) {
            problems.add("non-IMMUTABLE expression over a column reference in " + where + ": " + expr.strip());
        }
    }

    static boolean nonImmutable(String expr) {
        return CLOCK.matcher(expr).find() || NON_IMMUTABLE_CALL.matcher(expr).find() || ZONED.matcher(expr).find();
    }

    /** An identifier that is not a keyword, type, function name or parameter: a column. */
    static boolean hasColumnReference(String expr) {
        Matcher m = Pattern.compile("(?i)(?<![$\\w.:])([a-z_][a-z0-9_]*(?:\\.[a-z_][a-z0-9_]*)?)\\b(?!\\s*\\()")
                .matcher(withoutStrings(expr));
        while (m.find()) {
            String word = m.group(1).toLowerCase(Locale.ROOT);
            if (!WORDS.contains(word) && !word.startsWith("::")) {
                return true;
            }
        }
        return false;
    }

    /** The right-hand sides of every UPDATE ... SET and ON CONFLICT DO UPDATE SET. */
    static List<String> updateSetExpressions(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?i)\\bUPDATE\\b(?:\\s+[a-z_][a-z0-9_]*(?:\\s+(?!SET\\b)[a-z_][a-z0-9_]*)?)?\\s+SET\\b")
                .matcher(text);
        while (m.find()) {
            int depth = 0;
            int start = m.end();
            int i = start;
            for (; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    if (--depth < 0) {
                        break;
                    }
                } else if (depth == 0 && Pattern.compile("(?i)\\s(FROM|WHERE|RETURNING)\\b").matcher(text)
                        .region(i, text.length()).lookingAt()) {
                    break;
                }
            }
            for (String assignment : splitTopLevel(text.substring(start, i))) {
                int eq = assignment.indexOf('=');
                out.add(eq < 0 ? assignment : assignment.substring(eq + 1));
            }
        }
        return out;
    }

    /** The insides of CASE ... END blocks (nesting aware). */
    static List<String> blocks(String text, String open, String close) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?i)\\b(" + open + "|" + close + ")\\b").matcher(text);
        List<Integer> starts = new ArrayList<>();
        while (m.find()) {
            if (m.group(1).equalsIgnoreCase(open)) {
                starts.add(m.end());
            } else if (!starts.isEmpty()) {
                out.add(text.substring(starts.remove(starts.size() - 1), m.start()));
            }
        }
        return out;
    }

    /** The argument lists of every call of a function. */
    static List<String> calls(String text, String function) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?i)\\b" + function + "\\s*\\(").matcher(text);
        while (m.find()) {
            int depth = 1;
            int i = m.end();
            for (; i < text.length() && depth > 0; i++) {
                depth += text.charAt(i) == '(' ? 1 : text.charAt(i) == ')' ? -1 : 0;
            }
            out.add(text.substring(m.end(), Math.max(m.end(), i - 1)));
        }
        return out;
    }

    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** String literals emptied (their content is data, not SQL), quotes kept so types like timestamptz 'x' stay. */
    private static String withoutStrings(String sql) {
        return sql.replaceAll("'(?:[^']|'')*'", "''");
    }
}
