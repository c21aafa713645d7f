package dev.diskstore.examples.springboot;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactContent;
import dev.diskstore.ArtifactVersion;
import dev.diskstore.Disk;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.boot.CommandLineRunner;
import org.springframework.stereotype.Component;

/**
 * What the application does at startup with the injected {@link DiskStore}: finds its disk (or
 * creates it on the first run), appends a line to {@code /notes/runs.txt}, writes {@code
 * /notes/hello.md}, lists {@code /notes/} and shows the history of {@code runs.txt}, which grows by
 * one version per run. Prints each step on standard output.
 */
@Component
class StartupNotes implements CommandLineRunner {
  /** The disk's user, to find the application's disk again on the next run. */
  static final String DISK_USER = "spring-boot-example";
  static final String FOLDER = "/notes/";

  private final DiskStore store;

  StartupNotes(DiskStore store) {
    this.store = store;
  }

  @Override
  public void run(String... args) {
    Disk disk = store.disks().list(1, null, false, DISK_USER).items().stream().findFirst()
        .orElse(null);
    if (disk == null) {
      disk = store.disks().create(DISK_USER);
      System.out.println("created disk " + disk.id());
    } else {
      System.out.println("found disk " + disk.id());
    }
    String diskId = disk.id();

    String runs = store.disks().artifacts()
        .find(diskId, FOLDER, "runs.txt", GetOptions.builder().withContent(true).build())
        .flatMap(result -> result.content().map(ArtifactContent::raw))
        .orElse("");
    long run = runs.lines().count() + 1;
    store.disks().artifacts().upsert(diskId,
        FileUpload.ofText("runs.txt", runs + "run " + run + "\n"), FOLDER);
    store.disks().artifacts().upsert(diskId,
        FileUpload.ofText("hello.md", "# Hello from Spring Boot\n"), FOLDER);
    System.out.println("wrote " + FOLDER + "runs.txt (run " + run + ") and " + FOLDER + "hello.md");

    List<Artifact> files = store.disks().artifacts().list(diskId, FOLDER).artifacts();
    System.out.println(FOLDER + ": " + files.stream()
        .map(file -> file.filename() + " (" + file.sizeBytes() + " bytes, " + file.contentType()
            + ")")
        .collect(Collectors.joining(", ")));

    List<Long> versions = store.disks().artifacts().versions(diskId, FOLDER, "runs.txt").items()
        .stream().map(ArtifactVersion::version).toList();
    System.out.println("history of " + FOLDER + "runs.txt (newest first): " + versions);
  }
}
