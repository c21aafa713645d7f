package dev.diskstore.server;

import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import org.jspecify.annotations.Nullable;

/**
 * Disk creation and listing in the caller's project: {@link
 * dev.diskstore.Disks#createInProject} and {@link DiskListRequest.Builder#projectId}, so that a
 * listing never shows another project's disks. Stateless.
 */
final class ProjectDisks {
  private ProjectDisks() {}

  static Disk create(DiskStore store, String project, @Nullable String user) {
    return store.disks().createInProject(project, user);
  }

  static DiskPage list(DiskStore store, String project, DiskListRequest.Builder request) {
    return store.disks().list(request.projectId(project).build());
  }
}
