package fi.kanava.attachment;

import fi.kanava.infra.ApiError;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Checks an upload by its content and rebuilds it from its pixels alone. The type comes from the
 * magic bytes (JPEG or PNG; the name and Content-Type are never believed), the pixel count from
 * the header before anything is decoded, then a full decode must succeed. The decoded pixels are
 * turned upright by the EXIF orientation and encoded anew, so no EXIF, GPS, XMP, ICC profile,
 * comment or text chunk of the upload survives; a thumbnail is made from the same pixels. Blocking
 * and CPU-heavy: call it on a worker, never on an event loop.
 */
final class ImageSanitizer {
  /** The longest edge of a thumbnail, in pixels. */
  static final int THUMBNAIL_EDGE = 320;
  static final String JPEG = "image/jpeg";
  static final String PNG = "image/png";
  private static final float JPEG_QUALITY = 0.9f;

  private final int maxBytes;
  private final int maxPixels;

  ImageSanitizer(int maxBytes, int maxPixels) {
    this.maxBytes = maxBytes;
    this.maxPixels = maxPixels;
  }

  /** The stripped image and its thumbnail, each encoded in the upload's type. */
  record Sanitized(String mediaType, byte[] content, int width, int height, byte[] thumbnail, int thumbnailWidth, int thumbnailHeight) {}

  static ApiError notAnImage() {
    return new ApiError(415, "not_an_image", "The file is not a JPEG or PNG image");
  }

  ApiError tooLarge() {
    return new ApiError(413, "image_too_large",
        "An image is at most " + maxBytes + " bytes and " + maxPixels + " pixels");
  }

  Sanitized sanitize(byte[] upload) {
    if (upload.length > maxBytes) {
      throw tooLarge();
    }
    String mediaType = sniff(upload);
    if (mediaType == null) {
      throw notAnImage();
    }
    BufferedImage decoded = decode(upload, mediaType);
    BufferedImage upright = orient(decoded, JPEG.equals(mediaType) ? ExifOrientation.of(upload) : 1);
    BufferedImage thumbnail = thumbnail(upright);
    return new Sanitized(mediaType, encode(upright, mediaType), upright.getWidth(), upright.getHeight(), encode(thumbnail, mediaType),
        thumbnail.getWidth(), thumbnail.getHeight());
  }

  /** The type by magic bytes: JPEG (FF D8 FF) or PNG (the 8-byte signature); null for anything else. */
  static String sniff(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
      return JPEG;
    }
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (b.length < png.length) {
      return null;
    }
    for (int i = 0; i < png.length; i++) {
      if (b[i] != png[i]) {
        return null;
      }
    }
    return PNG;
  }

  /** Reads the size from the header first (refusing too many pixels undecoded), then decodes the first image. */
  private BufferedImage decode(byte[] upload, String mediaType) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(mediaType);
    if (!readers.hasNext()) {
      throw notAnImage();
    }
    ImageReader reader = readers.next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(upload))) {
      reader.setInput(in, true, true);
      long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
      if (pixels <= 0) {
        throw notAnImage();
      }
      if (pixels > maxPixels) {
        throw tooLarge();
      }
      BufferedImage image = reader.read(0);
      if (image == null || image.getWidth() <= 0 || image.getHeight() <= 0) {
        throw notAnImage();
      }
      return image;
    } catch (IOException | RuntimeException e) {
      if (e instanceof ApiError error) {
        throw error;
      }
      // truncated, corrupt or an unsupported variant (CMYK JPEG, say): not an image we can show
      throw notAnImage();
    } finally {
      reader.dispose();
    }
  }

  /** Applies an EXIF orientation (1-8) so the pixels stand as the camera meant them. */
  static BufferedImage orient(BufferedImage src, int orientation) {
    if (orientation <= 1 || orientation > 8) {
      return src;
    }
    int w = src.getWidth();
    int h = src.getHeight();
    boolean swaps = orientation >= 5;
    AffineTransform t = new AffineTransform();
    switch (orientation) {
      case 2 -> { t.translate(w, 0); t.scale(-1, 1); }
      case 3 -> { t.translate(w, h); t.rotate(Math.PI); }
      case 4 -> { t.translate(0, h); t.scale(1, -1); }
      case 5 -> { t.rotate(-Math.PI / 2); t.scale(-1, 1); }
      case 6 -> { t.translate(h, 0); t.rotate(Math.PI / 2); }
      case 7 -> { t.scale(-1, 1); t.translate(-h, 0); t.translate(0, w); t.rotate(-Math.PI / 2); }
      case 8 -> { t.translate(0, w); t.rotate(-Math.PI / 2); }
      default -> { }
    }
    BufferedImage out = new BufferedImage(swaps ? h : w, swaps ? w : h, workingType(src));
    Graphics2D g = out.createGraphics();
    try {
      g.drawImage(src, t, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static BufferedImage thumbnail(BufferedImage src) {
    int w = src.getWidth();
    int h = src.getHeight();
    double scale = Math.min(1.0, (double) THUMBNAIL_EDGE / Math.max(w, h));
    int tw = Math.max(1, (int) Math.round(w * scale));
    int th = Math.max(1, (int) Math.round(h * scale));
    BufferedImage out = new BufferedImage(tw, th, workingType(src));
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, tw, th, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static int workingType(BufferedImage src) {
    return src.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
  }

  /** Encodes pixels only: ImageIO's writers add no EXIF, XMP, ICC profile, comment or text chunk of their own. */
  private static byte[] encode(BufferedImage image, String mediaType) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (PNG.equals(mediaType)) {
        if (!ImageIO.write(image, "png", bytes)) {
          throw new IllegalStateException("No PNG writer");
        }
        return bytes.toByteArray();
      }
      BufferedImage rgb = image;
      if (image.getType() != BufferedImage.TYPE_INT_RGB) {
        rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        try {
          g.setColor(java.awt.Color.WHITE);
          g.fillRect(0, 0, image.getWidth(), image.getHeight());
          g.drawImage(image, 0, 0, null);
        } finally {
          g.dispose();
        }
      }
      ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
      try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(JPEG_QUALITY);
        writer.write(null, new IIOImage(rgb, null, null), param);
      } finally {
        writer.dispose();
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
