package dev.diskstore;

/** No disk with the given id exists in this store (never created, or deleted). */
public class DiskNotFoundException extends DiskStoreException {
  private static final long serialVersionUID = 1L;
  private final String diskId;

  public DiskNotFoundException(String diskId) {
    super("disk not found: " + diskId);
    this.diskId = diskId;
  }

  public String diskId() {
    return diskId;
  }
}
