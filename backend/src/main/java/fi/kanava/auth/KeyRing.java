package fi.kanava.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.math.BigInteger;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A node's snapshot of the signing keys, oldest first: which key signs at a given time, which keys
 * verify, and the public keys as a JWK set. Immutable; {@link SigningKeys} replaces it after each
 * read of the table.
 */
public final class KeyRing {

  /**
   * One key. It signs from {@code signsFrom} until the next key's {@code signsFrom}; it verifies
   * until {@code verifiesUntil} (empty for the newest key), when every token it signed has expired.
   */
  public record Key(String keyId, Instant signsFrom, Optional<Instant> verifiesUntil, JWTAuth jwt, ECPublicKey publicKey) {
    boolean verifiesAt(Instant now) {
      return verifiesUntil.map(now::isBefore).orElse(true);
    }

    @Override
    public String toString() {
      return "Key[" + keyId + ", from " + signsFrom + "]";
    }
  }

  private final List<Key> keys;

  KeyRing(List<Key> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a key ring holds at least one key");
    }
    this.keys = keys.stream().sorted(Comparator.comparing(Key::signsFrom)).toList();
  }

  /** The key that signs at {@code now}: the newest one whose time has come (the oldest, if none has yet). */
  public Key signer(Instant now) {
    Key chosen = keys.get(0);
    for (Key key : keys) {
      if (!key.signsFrom().isAfter(now)) {
        chosen = key;
      }
    }
    return chosen;
  }

  /** The key with this id, if it still verifies at {@code now}. */
  public Optional<Key> verifier(String keyId, Instant now) {
    return keys.stream().filter(k -> k.keyId().equals(keyId) && k.verifiesAt(now)).findFirst();
  }

  /** The ids of the keys that verify at {@code now}, oldest first. */
  public List<String> keyIds(Instant now) {
    return keys.stream().filter(k -> k.verifiesAt(now)).map(Key::keyId).toList();
  }

  /** The public keys that verify at {@code now}, and the one published ahead of its time, as a JWK set (RFC 7517). */
  public JsonObject jwks(Instant now) {
    JsonArray out = new JsonArray();
    keys.stream().filter(k -> k.verifiesAt(now)).forEach(k -> out.add(jwk(k)));
    return new JsonObject().put("keys", out);
  }

  private static JsonObject jwk(Key key) {
    return new JsonObject()
        .put("kty", "EC")
        .put("crv", "P-256")
        .put("alg", SigningKeys.ALGORITHM)
        .put("use", "sig")
        .put("kid", key.keyId())
        .put("x", coordinate(key.publicKey().getW().getAffineX()))
        .put("y", coordinate(key.publicKey().getW().getAffineY()));
  }

  /** A P-256 coordinate as exactly 32 big-endian bytes, base64url without padding (RFC 7518, 6.2.1.2). */
  private static String coordinate(BigInteger value) {
    byte[] bytes = value.toByteArray();
    byte[] fixed = new byte[32];
    int length = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - length, fixed, 32 - length, length);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }

  @Override
  public String toString() {
    return "KeyRing" + Arrays.toString(keys.toArray());
  }
}
