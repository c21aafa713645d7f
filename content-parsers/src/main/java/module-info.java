/**
 * Content detection and extraction with Apache Tika: {@code dev.diskstore.tika.TikaContentParser}
 * and {@code dev.diskstore.tika.TikaContentTypeDetector}, provided as the core's {@code
 * ContentParser} and {@code ContentTypeDetector} services.
 *
 * <p>Tika's jars are automatic modules with stable names (each declares an {@code
 * Automatic-Module-Name}). The parser modules this module depends on are required although only
 * two are compiled against: Tika finds its parsers at run time, so they must be resolved with it.
 * No Tika type appears in this module's API.
 */
@SuppressWarnings("requires-automatic") // Apache Tika 3 has no module descriptors
module dev.diskstore.content.parsers {
  requires transitive dev.diskstore.core;
  requires static org.jspecify;

  requires com.fasterxml.jackson.core;
  requires java.xml;
  requires org.apache.tika.core;
  requires org.apache.tika.parser.html;
  requires org.apache.tika.parser.microsoft;
  requires org.apache.tika.parser.miscoffice;
  requires org.apache.tika.parser.pdf;
  requires org.apache.tika.parser.txt;

  exports dev.diskstore.tika;

  provides dev.diskstore.spi.ContentParser with
      dev.diskstore.tika.TikaContentParser;
  provides dev.diskstore.spi.ContentTypeDetector with
      dev.diskstore.tika.TikaContentTypeDetector;
}
