/**
 * DiskStore for Google's Agent Development Kit: {@link dev.diskstore.adk.DiskStoreArtifactService},
 * ADK's {@code BaseArtifactService} on a disk, with every saved version kept in DiskStore's
 * history. Null-marked: parameters and return values are non-null unless annotated
 * {@code @Nullable}.
 */
@NullMarked
package dev.diskstore.adk;

import org.jspecify.annotations.NullMarked;
