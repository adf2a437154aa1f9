package ai.kiku.common.schema;

import ai.kiku.common.schema.JavaTokens.Kind;
import ai.kiku.common.schema.JavaTokens.Tok;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ai.kiku.common.schema.JavaTokens.Kind;
import ai.kiku.common.schema.JavaTokens.Tok;

/**
 * Pulls the SQL statements out of Java sources, as the code would build them: string literals and
 * text blocks joined by {@code +}, with {@code static final String} constants (of the same file, or
 * {@code Other.NAME} of any scanned file), local {@code String} variables and {@code .formatted(..)}
 * of literals filled in. Whatever cannot be resolved (a method call, a parameter) becomes {@code ?}.
 * A reader of source text, not a Java compiler: good enough for how this project writes SQL.
 */
final class JavaSqlStrings {

    /** One statement and where it was built. */
    record Sql(String where, String text) {
    }

    private static final Pattern STATEMENT = Pattern.compile("(?is)^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE)\\b.*");

    private final Map<String, List<Tok>> constants = new HashMap<>();
    private final Map<Path, List<Tok>> files = new HashMap<>();

    /** Every {@code .java} file under the given source roots. */
    static List<Sql> scan(List<Path> roots) {
        JavaSqlStrings s = new JavaSqlStrings();
        List<Path> sources = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(sources::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        for (Path p : sources) {
            try {
                s.add(p.toString(), Files.readString(p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return s.statements();
    }

    /** The statements of sources given as text (name → source), for the scanner's own tests. */
    static List<Sql> scanText(Map<String, String> sources) {
        JavaSqlStrings s = new JavaSqlStrings();
        sources.forEach(s::add);
        return s.statements();
    }

    private void add(String name, String source) {
        List<Tok> toks = JavaTokens.tokenize(source);
        String cls = name.replaceAll(".*[/\\\\]", "").replace(".java", "");
        files.put(Path.of(name), toks);
        // static final String NAME = ... ;  (also visible as Class.NAME)
        for (int i = 0; i + 2 < toks.size(); i++) {
            if (toks.get(i).is("String") && toks.get(i + 1).kind() == Kind.IDENT && toks.get(i + 2).is("=")
                    && i > 0 && toks.get(i - 1).is("final")) {
                List<Tok> expr = until(toks, i + 3, ";");
                constants.put(cls + "." + toks.get(i + 1).text(), expr);
            }
        }
    }

    private List<Sql> statements() {
        List<Sql> out = new ArrayList<>();
        for (Map.Entry<Path, List<Tok>> f : files.entrySet()) {
            List<Tok> toks = f.getValue();
            String cls = f.getKey().getFileName().toString().replace(".java", "");
            Map<String, List<Tok>> locals = new HashMap<>();
            for (int i = 0; i < toks.size(); i++) {
                Tok t = toks.get(i);
                if (t.is("String") && i + 2 < toks.size() && toks.get(i + 1).kind() == Kind.IDENT && toks.get(i + 2).is("=")) {
                    locals.put(toks.get(i + 1).text(), until(toks, i + 3, ";"));
                }
                if (t.kind() != Kind.STRING) {
                    continue;
                }
                // the start of a chain: a literal not preceded by '+' (nor by '.formatted(' args, handled inside)
                if (i > 0 && toks.get(i - 1).is("+")) {
                    continue;
                }
                int end = chainEnd(toks, i);
                String text = eval(toks.subList(i, end), cls, locals, 0);
                if (STATEMENT.matcher(text).matches()) {
                    out.add(new Sql(f.getKey().getFileName() + ":" + t.line(), text));
                }
            }
        }
        out.sort((a, b) -> a.where().compareTo(b.where()));
        return out;
    }

    /** The end (exclusive) of the + chain starting at i. */
    private static int chainEnd(List<Tok> toks, int i) {
        int j = operandEnd(toks, i);
        while (j < toks.size() && toks.get(j).is("+")) {
            j = operandEnd(toks, j + 1);
        }
        return j;
    }

    /** One operand: literal or dotted name, with any call/member suffixes like .formatted(...). */
    private static int operandEnd(List<Tok> toks, int i) {
        int j = i;
        if (j < toks.size() && toks.get(j).is("(")) {
            return close(toks, j) + 1;
        }
        j++;
        while (j < toks.size()) {
            if (toks.get(j).is(".") && j + 1 < toks.size()) {
                j += 2;
            } else if (toks.get(j).is("(")) {
                j = close(toks, j) + 1;
            } else {
                break;
            }
        }
        return Math.min(j, toks.size());
    }

    private static int close(List<Tok> toks, int open) {
        int depth = 0;
        for (int j = open; j < toks.size(); j++) {
            if (toks.get(j).is("(")) {
                depth++;
            } else if (toks.get(j).is(")") && --depth == 0) {
                return j;
            }
        }
        return toks.size() - 1;
    }

    private String eval(List<Tok> expr, String cls, Map<String, List<Tok>> locals, int depth) {
        if (depth > 10) {
            return "?";
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < expr.size()) {
            int end = operandEnd(expr, i);
            sb.append(operand(expr.subList(i, Math.min(end, expr.size())), cls, locals, depth));
            i = end;
            if (i < expr.size() && expr.get(i).is("+")) {
                i++;
            } else if (i < expr.size()) {
                sb.append(" ? ");
                break;
            }
        }
        return sb.toString();
    }

    private String operand(List<Tok> op, String cls, Map<String, List<Tok>> locals, int depth) {
        if (op.isEmpty()) {
            return "?";
        }
        Tok first = op.get(0);
        String base;
        int k = 1;
        if (first.kind() == Kind.STRING) {
            base = first.text();
        } else if (first.kind() == Kind.IDENT) {
            String name = first.text();
            List<Tok> def = null;
            if (k + 1 < op.size() && op.get(k).is(".") && constants.containsKey(name + "." + op.get(k + 1).text())) {
                def = constants.get(name + "." + op.get(k + 1).text());
                k += 2;
            } else if (locals.containsKey(name)) {
                def = locals.get(name);
            } else if (constants.containsKey(cls + "." + name)) {
                def = constants.get(cls + "." + name);
            }
            base = def == null ? "?" : eval(def, cls, locals, depth + 1);
        } else if (first.is("(")) {
            return eval(op.subList(1, op.size() - 1), cls, locals, depth + 1);
        } else {
            return "?";
        }
        // suffixes: .formatted(args) fills %s; .replace("a", "b"); anything else is unknown
        while (k < op.size()) {
            if (op.get(k).is(".") && k + 2 < op.size() && op.get(k + 2).is("(")) {
                String method = op.get(k + 1).text();
                int close = close(op, k + 2);
                List<String> args = args(op.subList(k + 3, close), cls, locals, depth);
                if (method.equals("formatted")) {
                    for (String a : args) {
                        base = base.replaceFirst("%s", Matcher.quoteReplacement(a));
                    }
                } else if (method.equals("replace") && args.size() == 2) {
                    base = base.replace(args.get(0), args.get(1));
                } else if (!method.equals("strip") && !method.equals("trim")) {
                    return "?";
                }
                k = close + 1;
            } else {
                return "?";
            }
        }
        return base;
    }

    private List<String> args(List<Tok> toks, String cls, Map<String, List<Tok>> locals, int depth) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int level = 0;
        for (int j = 0; j <= toks.size(); j++) {
            if (j == toks.size() || (level == 0 && toks.get(j).is(","))) {
                out.add(eval(toks.subList(start, j), cls, locals, depth + 1));
                start = j + 1;
            } else if (toks.get(j).is("(")) {
                level++;
            } else if (toks.get(j).is(")")) {
                level--;
            }
        }
        return out;
    }

    private static List<Tok> until(List<Tok> toks, int from, String stop) {
        int level = 0;
        for (int j = from; j < toks.size(); j++) {
            if (toks.get(j).is("(")) {
                level++;
            } else if (toks.get(j).is(")")) {
                level--;
            } else if (level == 0 && toks.get(j).is(stop)) {
                return toks.subList(from, j);
            }
        }
        return toks.subList(from, toks.size());
    }
}
