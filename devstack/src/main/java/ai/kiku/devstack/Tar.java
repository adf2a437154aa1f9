package ai.kiku.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A small ustar/GNU/pax tar reader, enough for zonky's PostgreSQL archives, so that no system tar is needed. */
final class Tar {
    private Tar() {
    }

    static void extract(InputStream in, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        String longName = null;
        String longLink = null;
        byte[] header = new byte[512];
        while (true) {
            if (in.readNBytes(header, 0, 512) < 512 || isZero(header)) {
                return;
            }
            char type = (char) header[156];
            long size = octal(header, 124, 12);
            String name = longName != null ? longName : ustarName(header);
            String link = longLink != null ? longLink : string(header, 157, 100);
            if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
                byte[] data = readPadded(in, size);
                if (type == 'L') {
                    longName = string(data, 0, data.length);
                } else if (type == 'K') {
                    longLink = string(data, 0, data.length);
                } else if (type == 'x') {
                    for (String record : paxRecords(data)) {
                        if (record.startsWith("path=")) {
                            longName = record.substring(5);
                        } else if (record.startsWith("linkpath=")) {
                            longLink = record.substring(9);
                        }
                    }
                }
                continue;
            }
            longName = null;
            longLink = null;
            Path out = root.resolve(name).normalize();
            if (!out.startsWith(root)) {
                throw new IOException("tar entry outside the target: " + name);
            }
            switch (type) {
                case '5' -> Files.createDirectories(out);
                case '2' -> {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createSymbolicLink(out, Path.of(link));
                }
                case '1' -> {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createLink(out, root.resolve(link).normalize());
                }
                default -> {
                    Files.createDirectories(out.getParent());
                    try (var os = Files.newOutputStream(out)) {
                        copy(in, os, size);
                    }
                    skip(in, (512 - size % 512) % 512);
                    if ((octal(header, 100, 8) & 0100) != 0) {
                        Binaries.makeExecutable(out);
                    }
                }
            }
        }
    }

    private static String ustarName(byte[] h) {
        String name = string(h, 0, 100);
        boolean ustar = string(h, 257, 5).equals("ustar");
        String prefix = ustar ? string(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static List<String> paxRecords(byte[] data) {
        List<String> records = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            if (space >= data.length) {
                break;
            }
            int len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            if (len <= 0) {
                break;
            }
            records.add(new String(data, space + 1, i + len - space - 2, StandardCharsets.UTF_8));
            i += len;
        }
        return records;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int off, int len) {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c >= '0' && c <= '7') {
                v = v * 8 + (c - '0');
            } else if (c != ' ' || v != 0) {
                if (c == 0 || c == ' ') {
                    break;
                }
            }
        }
        return v;
    }

    private static byte[] readPadded(InputStream in, long size) throws IOException {
        byte[] data = in.readNBytes((int) size);
        skip(in, (512 - size % 512) % 512);
        return data;
    }

    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("truncated tar");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        if (in.readNBytes((int) n).length < n) {
            throw new IOException("truncated tar");
        }
    }
}
