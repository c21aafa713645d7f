/**
 * Content detection and extraction with Apache Tika: {@link dev.diskstore.tika.TikaContentParser}
 * (text of PDF, Word, Excel, PowerPoint, OpenDocument, RTF, EPUB and HTML files as content type
 * {@code document}) and {@link dev.diskstore.tika.TikaContentTypeDetector} (media types from
 * filename and bytes). Both extend the core's built-in handling rather than replace it: text, JSON,
 * CSV and code files are handled by {@link dev.diskstore.spi.BuiltinContent} exactly as without this
 * module.
 *
 * <p>Both are registered in {@code META-INF/services}, so putting this module on the class path is
 * enough; {@link dev.diskstore.DiskStoreConfig.Builder#contentParser} and {@link
 * dev.diskstore.DiskStoreConfig.Builder#contentTypeDetector} wire them (or a configured {@link
 * dev.diskstore.tika.TikaContentParser.Builder parser}) explicitly.
 *
 * <p>Apache Tika is initialised lazily, once per JVM, the first time a file actually needs it.
 * Opening a store and upserting files with common names never does.
 */
@NullMarked
package dev.diskstore.tika;

import org.jspecify.annotations.NullMarked;
