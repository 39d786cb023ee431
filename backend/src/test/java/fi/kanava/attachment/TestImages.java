package fi.kanava.attachment;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/** Images built in code for the tests: a phone-like JPEG with EXIF orientation, GPS and a comment; plain PNGs. */
final class TestImages {
  private TestImages() {}

  /** A landscape picture, left half red and right half blue. */
  static BufferedImage halves(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, width / 2, height);
    g.setColor(Color.BLUE);
    g.fillRect(width / 2, 0, width - width / 2, height);
    g.dispose();
    return image;
  }

  static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static final String COMMENT = "Taken at Inarintie 1";

  /**
   * The JPEG of {@link #halves} with, right after its JFIF segment, an EXIF segment (orientation
   * 6: turn 90 degrees clockwise to view; GPS 68.9 N) and a comment segment, as a phone writes.
   */
  static byte[] phoneJpeg(int width, int height) {
    byte[] plain = encode(halves(width, height), "jpeg");
    byte[] exif = exif();
    byte[] comment = COMMENT.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(plain.length + 4 + exif.length + 4 + comment.length).order(ByteOrder.BIG_ENDIAN);
    // after the JFIF segment (ImageIO's reader wants APP0 first), as a camera that writes both does
    int afterApp0 = 2 + 2 + ((plain[4] & 0xFF) << 8 | (plain[5] & 0xFF));
    out.put(plain, 0, afterApp0);
    out.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (exif.length + 2)).put(exif);
    out.put((byte) 0xFF).put((byte) 0xFE).putShort((short) (comment.length + 2)).put(comment);
    out.put(plain, afterApp0, plain.length - afterApp0);
    return out.array();
  }

  /** "Exif\0\0" and a big-endian TIFF: IFD0 with Orientation=6 and a GPS IFD pointer; the GPS IFD with a latitude. */
  private static byte[] exif() {
    ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.BIG_ENDIAN);
    b.put("Exif".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0);
    int tiff = b.position();
    b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
    // IFD0 at 8: two entries
    b.putShort((short) 2);
    b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 6).putShort((short) 0);
    int gpsIfd = 8 + 2 + 2 * 12 + 4;
    b.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(gpsIfd);
    b.putInt(0);
    // GPS IFD: latitude ref "N", latitude 68/1 54/1 0/1
    int rationals = gpsIfd + 2 + 2 * 12 + 4;
    b.putShort((short) 2);
    b.putShort((short) 1).putShort((short) 2).putInt(2).put((byte) 'N').put((byte) 0).putShort((short) 0);
    b.putShort((short) 2).putShort((short) 5).putInt(3).putInt(rationals);
    b.putInt(0);
    b.putInt(68).putInt(1).putInt(54).putInt(1).putInt(0).putInt(1);
    byte[] out = new byte[b.position()];
    b.flip();
    b.get(out);
    if (tiff != 6) {
      throw new IllegalStateException();
    }
    return out;
  }

  /** The markers of a JPEG's segments before its image data (APP0 = 0xE0, APP1 = 0xE1, COM = 0xFE, ...). */
  static java.util.List<Integer> jpegMarkers(byte[] jpeg) {
    java.util.List<Integer> markers = new java.util.ArrayList<>();
    int pos = 2;
    while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
      int marker = jpeg[pos + 1] & 0xFF;
      markers.add(marker);
      if (marker == 0xDA) {
        break;
      }
      pos += 2 + ((jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF));
    }
    return markers;
  }
}
