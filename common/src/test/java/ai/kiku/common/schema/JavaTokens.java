package ai.kiku.common.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * A minimal Java tokenizer for {@link JavaSqlStrings}: string literals and text blocks (unescaped),
 * identifiers and single punctuation characters, with line numbers; comments are skipped.
 */
final class JavaTokens {

    private JavaTokens() {
    }

    enum Kind { STRING, IDENT, PUNCT }

    record Tok(Kind kind, String text, int line) {
        boolean is(String s) {
            return kind != Kind.STRING && text.equals(s);
        }
    }

    static List<Tok> tokenize(String s) {
        List<Tok> out = new ArrayList<>();
        int line = 1;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("//", i)) {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                line += count(s, i, end);
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int start = s.indexOf('\n', i) + 1;
                int end = s.indexOf("\"\"\"", start);
                end = end < 0 ? n : end;
                out.add(new Tok(Kind.STRING, textBlock(s.substring(start, end)), line));
                line += count(s, i, end);
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (j < n && s.charAt(j) != c) {
                    if (s.charAt(j) == '\\' && j + 1 < n) {
                        char e = s.charAt(++j);
                        sb.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
                    } else {
                        sb.append(s.charAt(j));
                    }
                    j++;
                }
                if (c == '"') {
                    out.add(new Tok(Kind.STRING, sb.toString(), line));
                } else {
                    out.add(new Tok(Kind.PUNCT, "'c'", line));
                }
                i = j + 1;
            } else if (Character.isJavaIdentifierStart(c)) {
                int j = i;
                while (j < n && Character.isJavaIdentifierPart(s.charAt(j))) {
                    j++;
                }
                out.add(new Tok(Kind.IDENT, s.substring(i, j), line));
                i = j;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(new Tok(Kind.PUNCT, s.substring(i, j), line));
                i = j;
            } else {
                out.add(new Tok(Kind.PUNCT, String.valueOf(c), line));
                i++;
            }
        }
        return out;
    }

    private static String textBlock(String raw) {
        return raw.stripIndent().replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to && i < s.length(); i++) {
            n += s.charAt(i) == '\n' ? 1 : 0;
        }
        return n;
    }
}
