package ai.kiku.common.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Splits migration scripts into statements, and the bodies of the functions and DO blocks they
 * define ({@code $$ ... $$}) into the statements those run, so that SQL run by the database on its
 * own is checked like SQL sent by the services.
 */
final class SqlScripts {

    /** Statements that read or write rows (DDL such as column defaults is evaluated where Citus allows it). */
    private static final Pattern DML = Pattern.compile("(?is)(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE)\\b");
    private static final Pattern DOLLAR = Pattern.compile("\\$([A-Za-z_]*)\\$");

    private SqlScripts() {
    }

    static List<JavaSqlStrings.Sql> scan(Path migrations) {
        List<JavaSqlStrings.Sql> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(migrations)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                out.addAll(statements(f.getFileName().toString(), Files.readString(f)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The top-level statements of every migration, DDL included (function bodies not opened). */
    static List<JavaSqlStrings.Sql> topLevel(Path migrations) {
        List<JavaSqlStrings.Sql> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(migrations)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                for (String st : split(Files.readString(f))) {
                    if (!st.isBlank()) {
                        out.add(new JavaSqlStrings.Sql(f.getFileName().toString(), st.strip()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every statement of a script, function bodies opened up (recursively). */
    static List<JavaSqlStrings.Sql> statements(String where, String script) {
        List<JavaSqlStrings.Sql> out = new ArrayList<>();
        for (String st : split(script)) {
            String trimmed = st.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (DML.matcher(trimmed).lookingAt()) {
                out.add(new JavaSqlStrings.Sql(where, trimmed));
            }
            Matcher m = DOLLAR.matcher(trimmed);
            if (m.find()) {
                String tag = m.group();
                int end = trimmed.indexOf(tag, m.end());
                if (end > 0) {
                    String body = trimmed.substring(m.end(), end);
                    // plpgsql: PERFORM runs a SELECT; BEGIN/END/DECLARE lines are not statements
                    out.addAll(statements(where + " (function body)", body.replaceAll("(?i)\\bPERFORM\\b", "SELECT")
                            .replaceAll("(?is)\\bDECLARE\\b.*?\\bBEGIN\\b", ";").replaceAll("(?i)\\bBEGIN\\b", ";")));
                }
            }
        }
        return out;
    }

    /** Splits on ';' outside quotes, comments and dollar-quoted bodies. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("--", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
            } else if (c == '\'') {
                int end = i + 1;
                while (end < s.length() && !(s.charAt(end) == '\'' && (end + 1 >= s.length() || s.charAt(end + 1) != '\''))) {
                    end += s.charAt(end) == '\'' ? 2 : 1;
                }
                cur.append(s, i, Math.min(end + 1, s.length()));
                i = end + 1;
            } else if (c == '$' && DOLLAR.matcher(s).region(i, s.length()).lookingAt()) {
                Matcher m = DOLLAR.matcher(s).region(i, s.length());
                m.lookingAt();
                int end = s.indexOf(m.group(), m.end());
                end = end < 0 ? s.length() : end + m.group().length();
                cur.append(s, i, end);
                i = end;
            } else if (c == ';') {
                out.add(cur.toString());
                cur.setLength(0);
                i++;
            } else {
                cur.append(c);
                i++;
            }
        }
        out.add(cur.toString());
        return out;
    }
}
