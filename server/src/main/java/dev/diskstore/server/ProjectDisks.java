package dev.diskstore.server;

import dev.diskstore.Disk;
import dev.diskstore.DiskListRequest;
import dev.diskstore.DiskPage;
import dev.diskstore.DiskStore;
import org.jspecify.annotations.Nullable;

/** Disk creation and listing in the caller's project (core's per-disk projects). Stateless. */
final class ProjectDisks {
  private ProjectDisks() {}

  static Disk create(DiskStore store, String project, @Nullable String user) {
    if (project.equals(store.projectId())) {
      return store.disks().create(user);
    }
    // TODO(projects): store.disks().createInProject(project, user) once core has it
    throw new UnsupportedOperationException("per-disk projects need core support");
  }

  static DiskPage list(DiskStore store, String project, DiskListRequest.Builder request) {
    // TODO(projects): request.projectId(project) once core has it
    return store.disks().list(request.build());
  }
}
