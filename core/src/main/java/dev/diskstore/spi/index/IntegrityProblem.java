package dev.diskstore.spi.index;

import java.util.Objects;

/**
 * Damage an index found in its own storage ({@link MetadataIndex#checkIntegrity}); the core
 * reports it as {@code VerifyReport.Kind.INDEX_DAMAGED}.
 *
 * @param where the damaged thing (a file name, a database)
 * @param detail what the check said
 */
public record IntegrityProblem(String where, String detail) {
  public IntegrityProblem {
    Objects.requireNonNull(where, "where");
    Objects.requireNonNull(detail, "detail");
  }
}
