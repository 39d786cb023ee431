package fi.kanava.attachment;

/**
 * Reads the EXIF orientation (tag 0x0112 of IFD0) of a JPEG: the one piece of metadata Kanava uses
 * before it throws all metadata away, so that a phone photo taken sideways stands upright. Pure,
 * bounds-checked reading of the APP1 segment; anything unexpected means "no orientation" (1).
 */
final class ExifOrientation {
  private ExifOrientation() {}

  /** 1 (as stored) to 8; 1 for a PNG, for a JPEG without EXIF, and for anything malformed. */
  static int of(byte[] jpeg) {
    try {
      return read(jpeg);
    } catch (IndexOutOfBoundsException e) {
      return 1;
    }
  }

  private static int read(byte[] b) {
    if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
      return 1;
    }
    int pos = 2;
    while (pos + 4 <= b.length) {
      if ((b[pos] & 0xFF) != 0xFF) {
        return 1;
      }
      int marker = b[pos + 1] & 0xFF;
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        pos += 2;
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        return 1; // image data starts: no EXIF before it
      }
      int length = u16(b, pos + 2, false);
      int start = pos + 4;
      if (marker == 0xE1 && length >= 8 && b[start] == 'E' && b[start + 1] == 'x' && b[start + 2] == 'i' && b[start + 3] == 'f'
          && b[start + 4] == 0 && b[start + 5] == 0) {
        return fromTiff(b, start + 6, start + length - 2);
      }
      pos += 2 + length;
    }
    return 1;
  }

  private static int fromTiff(byte[] b, int tiff, int end) {
    boolean little;
    if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
      little = true;
    } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
      little = false;
    } else {
      return 1;
    }
    if (u16(b, tiff + 2, little) != 42) {
      return 1;
    }
    long ifd = u32(b, tiff + 4, little);
    if (ifd < 8 || tiff + ifd + 2 > end) {
      return 1;
    }
    int at = (int) (tiff + ifd);
    int entries = u16(b, at, little);
    for (int i = 0; i < entries; i++) {
      int entry = at + 2 + i * 12;
      if (entry + 12 > end) {
        return 1;
      }
      if (u16(b, entry, little) == 0x0112 && u16(b, entry + 2, little) == 3) {
        int value = u16(b, entry + 8, little);
        return value >= 1 && value <= 8 ? value : 1;
      }
    }
    return 1;
  }

  private static int u16(byte[] b, int at, boolean little) {
    return little ? (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 : (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
  }

  private static long u32(byte[] b, int at, boolean little) {
    return little ? (u16(b, at, true) | (long) u16(b, at + 2, true) << 16) : ((long) u16(b, at, false) << 16 | u16(b, at + 2, false));
  }
}
