package dev.diskstore.mcp;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactNotFoundException;
import dev.diskstore.ArtifactPage;
import dev.diskstore.ArtifactStream;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.InvalidCursorException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.Query;
import dev.diskstore.QueryOptions;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The files of a disk as MCP resources: paged listing, the path template, reads as text or blob.
 * Failures are {@link McpError}s with a message saying what to do. Stateless; thread-safe.
 */
final class DiskResources {
  private static final Set<String> TEXT_APPLICATION_TYPES =
      Set.of(
          "application/json", "application/xml", "application/javascript",
          "application/x-javascript", "application/ecmascript", "application/yaml",
          "application/x-yaml", "application/toml", "application/x-sh", "application/sql",
          "application/graphql", "application/x-ndjson", "application/ld+json");

  private final DiskStore store;
  private final long maxResourceBytes;
  private final int pageSize;

  DiskResources(DiskStore store, long maxResourceBytes, int pageSize) {
    this.store = store;
    this.maxResourceBytes = maxResourceBytes;
    this.pageSize = pageSize;
  }

  McpSchema.ListResourcesResult list(String diskId, @Nullable String cursor) {
    ArtifactPage page;
    try {
      page =
          store.search().query(
              diskId, Query.all(),
              QueryOptions.builder().limit(pageSize).build()
                  .withCursor(cursor == null || cursor.isEmpty() ? null : cursor));
    } catch (InvalidCursorException e) {
      throw invalidParams("the cursor is not one this server gave for this disk: pass"
          + " nextCursor from the previous resources/list result unchanged, or no cursor to start"
          + " again");
    } catch (DiskNotFoundException e) {
      throw invalidParams("the disk " + diskId + " does not exist");
    }
    List<McpSchema.Resource> resources = new ArrayList<>(page.items().size());
    for (Artifact a : page.items()) {
      resources.add(
          McpSchema.Resource.builder()
              .uri(ResourceUri.of(diskId, a.fullPath()))
              .name(a.filename())
              .title(a.fullPath())
              .description(a.fullPath() + " (" + a.sizeBytes() + " bytes, etag " + a.etag() + ")")
              .mimeType(a.contentType())
              .size(a.sizeBytes())
              .build());
    }
    return new McpSchema.ListResourcesResult(resources, page.nextCursor().orElse(null));
  }

  McpSchema.ListResourceTemplatesResult templates(String diskId) {
    McpSchema.ResourceTemplate file =
        McpSchema.ResourceTemplate.builder()
            .uriTemplate(ResourceUri.SCHEME + ResourceUri.encode(diskId) + "/{+path}")
            .name("file")
            .title("A file of disk " + diskId)
            .description("A file of the disk by its full path without the leading slash, e.g."
                + " docs/2024/plan.md; percent-encode each segment's special characters.")
            .build();
    return new McpSchema.ListResourceTemplatesResult(List.of(file), null);
  }

  /** Parses {@code uri} and checks it names a file of {@code diskId}. */
  ResourceUri ownUri(String diskId, @Nullable String uri) {
    if (uri == null) {
      throw invalidParams("uri is required");
    }
    ResourceUri parsed;
    try {
      parsed = ResourceUri.parse(uri);
    } catch (IllegalArgumentException e) {
      throw invalidParams(e.getMessage());
    }
    if (!parsed.diskId().equals(diskId)) {
      throw notFound("resource not found: " + uri + " (this session serves the disk " + diskId
          + "; its files are diskstore://" + ResourceUri.encode(diskId) + "/...)");
    }
    return parsed;
  }

  McpSchema.ReadResourceResult read(String diskId, @Nullable String uri) {
    ResourceUri file = ownUri(diskId, uri);
    String canonical = file.uri();
    try (ArtifactStream in =
        store.disks().artifacts().open(diskId, file.directory(), file.filename())) {
      Artifact artifact = in.artifact();
      if (artifact.sizeBytes() > maxResourceBytes) {
        throw invalidParams(artifact.fullPath() + " has " + artifact.sizeBytes() + " bytes, more"
            + " than the " + maxResourceBytes + " a resource read returns: read it in pages with"
            + " the read_file_disk tool, or get a download URL with download_file_disk");
      }
      byte[] bytes = in.readAllBytes();
      String mime = artifact.contentType();
      String text = isText(mime) ? strictUtf8(bytes) : null;
      McpSchema.ResourceContents contents =
          text != null
              ? new McpSchema.TextResourceContents(canonical, mime, text)
              : new McpSchema.BlobResourceContents(
                  canonical, mime, Base64.getEncoder().encodeToString(bytes));
      return new McpSchema.ReadResourceResult(List.of(contents));
    } catch (ArtifactNotFoundException e) {
      throw notFound("resource not found: " + uri + " (no file " + file.directory()
          + file.filename() + "; resources/list shows the files, names are case-sensitive)");
    } catch (DiskNotFoundException e) {
      throw notFound("resource not found: " + uri + " (the disk does not exist)");
    } catch (InvalidRequestException e) {
      throw invalidParams(e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + uri + " failed", e);
    }
  }

  static boolean isText(String contentType) {
    String mime = contentType.toLowerCase(Locale.ROOT);
    int semicolon = mime.indexOf(';');
    if (semicolon >= 0) {
      mime = mime.substring(0, semicolon).strip();
    }
    return mime.startsWith("text/")
        || TEXT_APPLICATION_TYPES.contains(mime)
        || mime.endsWith("+json")
        || mime.endsWith("+xml");
  }

  private static @Nullable String strictUtf8(byte[] bytes) {
    try {
      return UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static McpError invalidParams(@Nullable String message) {
    return McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message(message).build();
  }

  private static McpError notFound(String message) {
    return McpError.builder(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND).message(message).build();
  }
}
