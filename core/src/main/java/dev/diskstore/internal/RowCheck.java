package dev.diskstore.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The checksum stored with every artifact row ({@code artifacts.row_check}): CRC-32C over the
 * row's fields but its id (known only after an insert), each length-prefixed. The core computes it
 * and the index stores it ({@link dev.diskstore.spi.index.IndexSession.ArtifactRows#insert}).
 * SQLite checks the structure of its pages and indexes ({@code PRAGMA integrity_check}) but not the values inside a record: a byte changed inside a
 * user-metadata string or a content type leaves a well-formed database. Deep verification
 * recomputes this checksum for every row and reports rows whose stored fields no longer match it.
 * It detects accidental damage, not deliberate edits (anyone who can write the file can write a
 * matching checksum).
 */
public final class RowCheck {
  private RowCheck() {}

  public static long of(dev.diskstore.spi.index.ArtifactRow row) {
    return of(row.diskId(), row.path(), row.filename(), row.sha256(), row.size(),
        row.contentType(), row.etag(), row.userMeta(), row.createdAt(), row.updatedAt(),
        row.contentModifiedAt());
  }

  public static long of(
      String diskId, String path, String filename, String sha256, long size,
      String contentType, String etag, String userMeta, long createdAt, long updatedAt,
      long contentModifiedAt) {
    CRC32C crc = new CRC32C();
    ByteBuffer numbers = ByteBuffer.allocate(4 * Long.BYTES);
    numbers.putLong(size).putLong(createdAt).putLong(updatedAt)
        .putLong(contentModifiedAt);
    crc.update(numbers.array());
    for (String field : new String[] {diskId, path, filename, sha256, contentType, etag, userMeta}) {
      byte[] bytes = field.getBytes(UTF_8);
      crc.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
      crc.update(bytes);
    }
    return crc.getValue();
  }
}
