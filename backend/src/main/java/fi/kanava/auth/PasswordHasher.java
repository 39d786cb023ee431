package fi.kanava.auth;

import fi.kanava.infra.KanavaConfig.PasswordParams;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashing (Bouncy Castle) in the PHC string format
 * {@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}. Deliberately slow and memory-hard: call it
 * from a worker ({@code executeBlocking}), never from an event loop.
 */
public final class PasswordHasher {
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final PasswordParams params;
  private final SecureRandom random = new SecureRandom();
  /** Verified against when the username is unknown, so that the answer takes as long; made on first use, on a worker. */
  private volatile String decoy;

  public PasswordHasher(PasswordParams params) {
    this.params = params;
  }

  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] out = derive(password, salt, params.memoryKib(), params.iterations(), params.parallelism(), HASH_BYTES);
    return "$argon2id$v=19$m=" + params.memoryKib() + ",t=" + params.iterations() + ",p=" + params.parallelism()
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
  }

  /** True when the password matches; false for a mismatch or an unreadable hash. */
  public boolean verify(String password, String encoded) {
    try {
      return verifyOrThrow(password, encoded);
    } catch (IllegalArgumentException e) {
      // an unreadable stored hash (bad number or Base64) matches nothing
      return false;
    }
  }

  private boolean verifyOrThrow(String password, String encoded) {
    String[] parts = encoded.split("\\$");
    if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
      return false;
    }
    int memory = 0;
    int iterations = 0;
    int parallelism = 0;
    for (String kv : parts[3].split(",")) {
      String[] pair = kv.split("=", 2);
      if (pair.length != 2) {
        return false;
      }
      int value = Integer.parseInt(pair[1]);
      switch (pair[0]) {
        case "m" -> memory = value;
        case "t" -> iterations = value;
        case "p" -> parallelism = value;
        default -> {
          return false;
        }
      }
    }
    byte[] salt = B64D.decode(parts[4]);
    byte[] expected = B64D.decode(parts[5]);
    byte[] actual = derive(password, salt, memory, iterations, parallelism, expected.length);
    return MessageDigest.isEqual(expected, actual);
  }

  /** Spends the time of one verification and returns false: for unknown usernames. */
  public boolean verifyDecoy(String password) {
    String current = decoy;
    if (current == null) {
      current = hash("decoy password that matches nothing");
      decoy = current;
    }
    verify(password, current);
    return false;
  }

  private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKib)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
