package fi.kanava.auth;

import fi.kanava.infra.ConfigException;
import fi.kanava.infra.KanavaConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-encryption key that seals the signing keys in the database with AES-256-GCM (the JDK's
 * provider): what the database holds is useless without it, and it never goes into the database.
 * It comes from {@code auth.signing-key.encryption-key}, from the file {@code
 * auth.signing-key.encryption-key-file}, or, with the embedded database and neither set, from
 * {@value #DEFAULT_FILE_NAME} beside the data directory, generated owner-read-only on first start.
 * Its fingerprint (the first 8 bytes of its SHA-256) is stored with each sealed key, so that a
 * wrong key is named at start-up instead of failing as garbage. Resolving it reads files: call it
 * on a worker or on main.
 */
public final class KeyEncryptionKey {
  private static final Logger log = LoggerFactory.getLogger(KeyEncryptionKey.class);
  public static final String DEFAULT_FILE_NAME = "key-encryption.key";
  static final String KEY_SETTING = "auth.signing-key.encryption-key";
  static final String FILE_SETTING = "auth.signing-key.encryption-key-file";
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final String fingerprint;
  /** Where the key came from, for messages: the setting or the file, never the value. */
  private final String source;

  private KeyEncryptionKey(byte[] raw, String source) {
    this.key = new SecretKeySpec(raw, "AES");
    this.fingerprint = fingerprintOf(raw);
    this.source = source;
  }

  /** The configured key, the configured file, or the embedded database's default file (made if missing). */
  public static KeyEncryptionKey resolve(KanavaConfig config) {
    KanavaConfig.SigningKey settings = config.auth().signingKey();
    if (settings.encryptionKey().isPresent()) {
      return new KeyEncryptionKey(Base64.getDecoder().decode(settings.encryptionKey().get()), KEY_SETTING);
    }
    if (settings.encryptionKeyFile().isPresent()) {
      return read(settings.encryptionKeyFile().get(), FILE_SETTING);
    }
    if (!config.db().embedded()) {
      throw new ConfigException(KEY_SETTING, "is required with an external database: set it (openssl rand -base64 32) or "
          + FILE_SETTING + ", and keep it out of the database and its backups");
    }
    Path file = defaultFile(config.db().embeddedDataDir());
    if (!Files.exists(file)) {
      generate(file);
    }
    return read(file, FILE_SETTING + " (default " + file + ")");
  }

  /** Where the embedded database's key lives: beside its data directory, so a copy of that directory does not hold it. */
  public static Path defaultFile(Path embeddedDataDir) {
    Path data = embeddedDataDir.toAbsolutePath().normalize();
    Path parent = data.getParent() != null ? data.getParent() : data;
    return parent.resolve(DEFAULT_FILE_NAME);
  }

  /** A key for tests and tools: base64 of 32 random bytes. */
  public static String newEncodedKey() {
    byte[] raw = new byte[KEY_BYTES];
    RANDOM.nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  public String fingerprint() {
    return fingerprint;
  }

  public String source() {
    return source;
  }

  /**
   * Seals a private key: a fresh nonce, then the ciphertext with its tag. The key id and the public
   * key are bound in as associated data, so a row whose public key or id was changed does not open.
   */
  byte[] seal(String keyId, String publicPem, byte[] plaintext) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associated(keyId, publicPem));
      byte[] sealed = cipher.doFinal(plaintext);
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** Opens what {@link #seal} made for the same key id and public key; a wrong key or altered bytes fail with {@link Unreadable}. */
  byte[] open(String keyId, String publicPem, byte[] sealed) {
    if (sealed.length <= NONCE_BYTES) {
      throw new Unreadable();
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(associated(keyId, publicPem));
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new Unreadable();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  private static byte[] associated(String keyId, String publicPem) {
    return (keyId + "\n" + publicPem).getBytes(StandardCharsets.UTF_8);
  }

  /** Sealed bytes that this key does not open: another key sealed them, or they were altered. */
  static final class Unreadable extends RuntimeException {
    Unreadable() {
      super("the sealed key does not open with this key-encryption key", null, false, false);
    }
  }

  @Override
  public String toString() {
    return "KeyEncryptionKey[" + fingerprint + "]";
  }

  private static KeyEncryptionKey read(Path file, String setting) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new ConfigException(setting, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(setting, file + " must hold base64 of 32 bytes (openssl rand -base64 32)");
    }
    if (raw.length != KEY_BYTES) {
      throw new ConfigException(setting, file + " must hold base64 of 32 bytes (openssl rand -base64 32), not " + raw.length);
    }
    warnIfOthersMayRead(file);
    return new KeyEncryptionKey(raw, setting);
  }

  /** Creates the file readable and writable by its owner only, with a new random key. */
  private static void generate(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Set<PosixFilePermission> ownerOnly = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
      try {
        if (Files.getFileStore(file.getParent()).supportsFileAttributeView("posix")) {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
        } else {
          Files.createFile(file);
        }
      } catch (FileAlreadyExistsException e) {
        return;
      }
      Files.writeString(file, newEncodedKey() + "\n", StandardCharsets.US_ASCII);
      log.warn("Generated the key-encryption key {}: it seals the token signing keys in the database. Back it up apart from the"
          + " database; without it the stored signing keys cannot be opened (docs/configuration.md says what to do then).", file);
    } catch (IOException e) {
      throw new ConfigException(FILE_SETTING, "cannot create " + file + " (" + e.getMessage() + ")");
    }
  }

  private static void warnIfOthersMayRead(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("The key-encryption key {} is readable by others than its owner ({}): chmod 600 it",
            file, PosixFilePermissions.toString(permissions));
      }
    } catch (UnsupportedOperationException | IOException e) {
      // not a POSIX file system: nothing to check
    }
  }

  private static String fingerprintOf(byte[] raw) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
