package dev.diskstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.InvalidCursorException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CursorsTest {
  @Test
  void roundTripsFieldsWithSeparatorsAndUnicode() {
    List<String> fields = List.of("f", "a|b/ü\u0000");
    String cursor = Cursors.encode("l1", "scope", fields);
    assertThat(cursor).matches("[A-Za-z0-9_-]+");
    assertThat(Cursors.decode(cursor, "l1", "scope", 2)).isEqualTo(fields);
  }

  @Test
  void rejectsForeignScopeKindAndGarbage() {
    String cursor = Cursors.encode("d1", "asc", List.of("1", "x"));
    assertThatThrownBy(() -> Cursors.decode(cursor, "d1", "desc", 2))
        .isInstanceOf(InvalidCursorException.class)
        .hasMessageContaining("different query");
    assertThatThrownBy(() -> Cursors.decode(cursor, "l1", "asc", 2))
        .isInstanceOf(InvalidCursorException.class);
    for (String bad : new String[] {"", "xyz", "!!!!", "a".repeat(20_000), cursor + "A"}) {
      assertThatThrownBy(() -> Cursors.decode(bad, "d1", "asc", 2))
          .as(bad.length() > 30 ? bad.substring(0, 30) : bad)
          .isInstanceOf(InvalidCursorException.class);
    }
  }
}
