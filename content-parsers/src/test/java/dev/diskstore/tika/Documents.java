package dev.diskstore.tika;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.awt.Rectangle;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.hslf.usermodel.HSLFSlide;
import org.apache.poi.hslf.usermodel.HSLFSlideShow;
import org.apache.poi.hslf.usermodel.HSLFTextBox;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFSlide;
import org.apache.poi.xslf.usermodel.XSLFTextBox;
import org.apache.poi.xssf.usermodel.XSSFClientAnchor;
import org.apache.poi.xssf.usermodel.XSSFDrawing;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

/**
 * Real documents, built in memory by the tests with PDFBox, POI and {@code java.util.zip} (nothing
 * is downloaded or committed). Each method returns the file's bytes.
 */
final class Documents {
  private Documents() {}

  /** A PDF with one page per entry of {@code pages}, each page's lines in Helvetica. */
  static byte[] pdf(List<List<String>> pages) {
    try (PDDocument document = new PDDocument()) {
      addPages(document, pages);
      return save(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A one-page PDF with these lines. */
  static byte[] pdf(String... lines) {
    return pdf(List.of(List.of(lines)));
  }

  /** A PDF encrypted with AES-128 and a user password, so it cannot be opened without one. */
  static byte[] encryptedPdf(String... lines) {
    try (PDDocument document = new PDDocument()) {
      addPages(document, List.of(List.of(lines)));
      StandardProtectionPolicy policy =
          new StandardProtectionPolicy("owner-secret", "user-secret", new AccessPermission());
      policy.setEncryptionKeyLength(128);
      document.protect(policy);
      return save(document);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void addPages(PDDocument document, List<List<String>> pages) throws IOException {
    PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    for (List<String> lines : pages) {
      PDPage page = new PDPage();
      document.addPage(page);
      try (PDPageContentStream content = new PDPageContentStream(document, page)) {
        content.beginText();
        content.setFont(font, 11);
        content.setLeading(14);
        content.newLineAtOffset(50, 740);
        for (String line : lines) {
          content.showText(line);
          content.newLine();
        }
        content.endText();
      }
    }
  }

  private static byte[] save(PDDocument document) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    document.save(out);
    return out.toByteArray();
  }

  /** A DOCX with one paragraph per argument. */
  static byte[] docx(String... paragraphs) {
    try (XWPFDocument document = new XWPFDocument()) {
      for (String paragraph : paragraphs) {
        document.createParagraph().createRun().setText(paragraph);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      document.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An XLSX with one sheet named {@code sheet} holding {@code rows}. */
  static byte[] xlsx(String sheet, List<List<Object>> rows) {
    try (XSSFWorkbook workbook = new XSSFWorkbook()) {
      return workbook(workbook, sheet, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An XLSX with one cell whose sheet shows {@code embedded} (any file, here a DOCX) as an
   * embedded OLE package object.
   */
  static byte[] xlsxWithEmbedded(String cell, byte[] embedded, String embeddedName) {
    try (XSSFWorkbook workbook = new XSSFWorkbook()) {
      XSSFSheet sheet = workbook.createSheet("Outer");
      sheet.createRow(0).createCell(0).setCellValue(cell);
      int storage = workbook.addOlePackage(embedded, embeddedName, embeddedName, embeddedName);
      byte[] icon = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0};
      int picture = workbook.addPicture(icon, Workbook.PICTURE_TYPE_PNG);
      XSSFDrawing drawing = sheet.createDrawingPatriarch();
      XSSFClientAnchor anchor = drawing.createAnchor(0, 0, 0, 0, 1, 1, 3, 3);
      drawing.createObjectData(anchor, storage, picture);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      workbook.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A legacy (BIFF8) XLS with one sheet. */
  static byte[] xls(String sheet, List<List<Object>> rows) {
    try (HSSFWorkbook workbook = new HSSFWorkbook()) {
      return workbook(workbook, sheet, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] workbook(Workbook workbook, String name, List<List<Object>> rows)
      throws IOException {
    Sheet sheet = workbook.createSheet(name);
    for (int r = 0; r < rows.size(); r++) {
      Row row = sheet.createRow(r);
      List<Object> cells = rows.get(r);
      for (int c = 0; c < cells.size(); c++) {
        Object value = cells.get(c);
        if (value instanceof Number number) {
          row.createCell(c).setCellValue(number.doubleValue());
        } else {
          row.createCell(c).setCellValue(String.valueOf(value));
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    workbook.write(out);
    return out.toByteArray();
  }

  /** A PPTX with one slide per argument, each with one text box. */
  static byte[] pptx(String... slides) {
    try (XMLSlideShow show = new XMLSlideShow()) {
      for (String text : slides) {
        XSLFSlide slide = show.createSlide();
        XSLFTextBox box = slide.createTextBox();
        box.setAnchor(new Rectangle(50, 50, 500, 100));
        box.setText(text);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      show.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A legacy PPT with one slide per argument. */
  static byte[] ppt(String... slides) {
    try (HSLFSlideShow show = new HSLFSlideShow()) {
      for (String text : slides) {
        HSLFSlide slide = show.createSlide();
        HSLFTextBox box = slide.createTextBox();
        box.setAnchor(new Rectangle(50, 50, 500, 100));
        box.setText(text);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      show.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An OpenDocument text file with a heading and paragraphs. */
  static byte[] odt(String heading, String... paragraphs) {
    StringBuilder body = new StringBuilder();
    body.append("<text:h text:outline-level=\"1\">").append(xml(heading)).append("</text:h>");
    for (String paragraph : paragraphs) {
      body.append("<text:p>").append(xml(paragraph)).append("</text:p>");
    }
    return odt(body.toString().getBytes(UTF_8));
  }

  /** An ODT whose {@code content.xml} holds one paragraph of {@code chars} copies of "a". */
  static byte[] odtBomb(int chars) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      odtHeader(zip);
      zip.putNextEntry(new ZipEntry("content.xml"));
      zip.write(ODT_CONTENT_START.getBytes(UTF_8));
      zip.write("<text:p>".getBytes(UTF_8));
      writeRepeated(zip, (byte) 'a', chars);
      zip.write("</text:p>".getBytes(UTF_8));
      zip.write(ODT_CONTENT_END.getBytes(UTF_8));
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static final String ODT_CONTENT_START =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
          + "<office:document-content"
          + " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
          + " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
          + " office:version=\"1.2\"><office:body><office:text>";
  private static final String ODT_CONTENT_END =
      "</office:text></office:body></office:document-content>";

  private static byte[] odt(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      odtHeader(zip);
      zip.putNextEntry(new ZipEntry("content.xml"));
      zip.write(ODT_CONTENT_START.getBytes(UTF_8));
      zip.write(body);
      zip.write(ODT_CONTENT_END.getBytes(UTF_8));
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void odtHeader(ZipOutputStream zip) throws IOException {
    stored(zip, "mimetype", "application/vnd.oasis.opendocument.text");
    deflated(
        zip,
        "META-INF/manifest.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<manifest:manifest"
            + " xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\""
            + " manifest:version=\"1.2\">"
            + "<manifest:file-entry manifest:full-path=\"/\""
            + " manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
            + "<manifest:file-entry manifest:full-path=\"content.xml\""
            + " manifest:media-type=\"text/xml\"/>"
            + "</manifest:manifest>");
  }

  /** An EPUB 3 book with one chapter. */
  static byte[] epub(String title, String chapterHeading, String chapterText) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      stored(zip, "mimetype", "application/epub+zip");
      deflated(
          zip,
          "META-INF/container.xml",
          "<?xml version=\"1.0\"?>"
              + "<container version=\"1.0\""
              + " xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">"
              + "<rootfiles><rootfile full-path=\"OEBPS/content.opf\""
              + " media-type=\"application/oebps-package+xml\"/></rootfiles></container>");
      deflated(
          zip,
          "OEBPS/content.opf",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
              + "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\""
              + " unique-identifier=\"id\">"
              + "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
              + "<dc:identifier id=\"id\">urn:uuid:2f1c7a52-3b1e-4a55-9d57-0c3d2f6a9b11</dc:identifier>"
              + "<dc:title>" + xml(title) + "</dc:title><dc:language>en</dc:language></metadata>"
              + "<manifest><item id=\"c1\" href=\"chapter1.xhtml\""
              + " media-type=\"application/xhtml+xml\"/></manifest>"
              + "<spine><itemref idref=\"c1\"/></spine></package>");
      deflated(
          zip,
          "OEBPS/chapter1.xhtml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
              + "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>"
              + xml(chapterHeading) + "</title></head><body><h1>" + xml(chapterHeading)
              + "</h1><p>" + xml(chapterText) + "</p></body></html>");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A small RTF document with two paragraphs (bold in the first). */
  static byte[] rtf(String boldWord, String secondParagraph) {
    return ("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times New Roman;}}\\f0\\fs24 "
            + "Hello from \\b " + boldWord + "\\b0 .\\par " + secondParagraph + "\\par}")
        .getBytes(UTF_8);
  }

  /**
   * A DOCX whose {@code word/document.xml} expands to about {@code expandedBytes} bytes from a few
   * kilobytes: a valid package with one gigantic run of "a".
   */
  static byte[] docxBomb(int expandedBytes) {
    byte[] valid = docx("placeholder");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(valid));
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        zip.putNextEntry(new ZipEntry(entry.getName()));
        if (entry.getName().equals("word/document.xml")) {
          zip.write(("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                  + "<w:document xmlns:w="
                  + "\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
                  + "<w:body><w:p><w:r><w:t>").getBytes(UTF_8));
          writeRepeated(zip, (byte) 'a', expandedBytes);
          zip.write("</w:t></w:r></w:p></w:body></w:document>".getBytes(UTF_8));
        } else {
          in.transferTo(zip);
        }
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A ZIP archive with one deflated text entry. */
  static byte[] zip(String entryName, String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      deflated(zip, entryName, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Gzip-compressed bytes. */
  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The first {@code n} bytes (a truncated file). */
  static byte[] head(byte[] data, int n) {
    byte[] head = new byte[Math.min(n, data.length)];
    System.arraycopy(data, 0, head, 0, head.length);
    return head;
  }

  /** {@code first} followed by {@code second}. */
  static byte[] concat(byte[] first, byte[] second) {
    byte[] joined = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, joined, first.length, second.length);
    return joined;
  }

  /** {@code prefix} followed by {@code length - prefix.length} pseudo-random bytes. */
  static byte[] withPrefix(byte[] prefix, int length, long seed) {
    byte[] data = new byte[Math.max(length, prefix.length)];
    new Random(seed).nextBytes(data);
    System.arraycopy(prefix, 0, data, 0, prefix.length);
    return data;
  }

  /** Bytes from ints (each 0..255). */
  static byte[] bytes(int... values) {
    byte[] data = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      data[i] = (byte) values[i];
    }
    return data;
  }

  private static void stored(ZipOutputStream zip, String name, String text) throws IOException {
    byte[] data = text.getBytes(UTF_8);
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(data.length);
    entry.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(data);
    zip.closeEntry();
  }

  private static void deflated(ZipOutputStream zip, String name, String text) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(text.getBytes(UTF_8));
    zip.closeEntry();
  }

  private static void writeRepeated(OutputStream out, byte value, int count) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, value);
    for (int left = count; left > 0; left -= chunk.length) {
      out.write(chunk, 0, Math.min(left, chunk.length));
    }
  }

  private static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
