package dev.diskstore.server;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Parameters of a multipart part's {@code Content-Disposition} header, as the official SDKs write
 * it: {@code form-data; name="file"; filename="a b%22é.txt"}. Browsers, undici and httpx follow
 * the WHATWG rule and write {@code "} as {@code %22}, CR as {@code %0D}, LF as {@code %0A}, and put
 * non-ASCII names as raw UTF-8 (no {@code filename*=}); those three escapes are decoded and nothing
 * else (a literal {@code %41} stays). A backslash escapes the next character inside quotes (curl).
 * Stateless.
 */
final class ContentDisposition {
  private ContentDisposition() {}

  static @Nullable String param(@Nullable String header, String wanted) {
    if (header == null) {
      return null;
    }
    int i = header.indexOf(';');
    while (i >= 0 && i < header.length()) {
      i++;
      while (i < header.length() && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
        i++;
      }
      int eq = header.indexOf('=', i);
      if (eq < 0) {
        return null;
      }
      String name = header.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      int j = eq + 1;
      String value;
      if (j < header.length() && header.charAt(j) == '"') {
        StringBuilder sb = new StringBuilder();
        j++;
        while (j < header.length() && header.charAt(j) != '"') {
          char c = header.charAt(j);
          if (c == '\\' && j + 1 < header.length()) {
            c = header.charAt(++j);
          }
          sb.append(c);
          j++;
        }
        value = sb.toString();
        j = header.indexOf(';', j);
      } else {
        int end = header.indexOf(';', j);
        value = (end < 0 ? header.substring(j) : header.substring(j, end)).trim();
        j = end;
      }
      if (name.equals(wanted)) {
        return unescapeWhatwg(value);
      }
      i = j;
    }
    return null;
  }

  static String unescapeWhatwg(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    return value.replace("%22", "\"").replace("%0D", "\r").replace("%0A", "\n")
        .replace("%0d", "\r").replace("%0a", "\n");
  }
}
