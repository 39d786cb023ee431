package fi.kanava.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Access tokens made by a test with a key it holds: what a forger, or an old server, would sign. */
public final class Tokens {
  private Tokens() {}

  /** A P-256 key pair as PEM texts. */
  public record Pem(String privatePem, String publicPem) {}

  public static Pem newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      return new Pem(pem("PRIVATE KEY", pair.getPrivate().getEncoded()), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A patient's access token as Kanava makes them, signed with {@code privatePem} under {@code keyId}. */
  public static String patientToken(Vertx vertx, String privatePem, String keyId, UUID patientId, Instant issuedAt, Instant expires) {
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setId(keyId).setBuffer(privatePem)));
    JsonObject claims = new JsonObject().put("sub", patientId.toString()).put("typ", "patient").put("sid", UUID.randomUUID().toString())
        .put("iat", issuedAt.getEpochSecond()).put("exp", expires.getEpochSecond()).put("jti", UUID.randomUUID().toString());
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("ES256").setIssuer("kanava").addAudience("kanava").setNoTimestamp(true)
        .setHeader(new JsonObject().put("kid", keyId)));
  }

  /** The {@code kid} of a token's header. */
  public static String keyId(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]))).getString("kid");
  }

  /** The payload of a token (not verified). */
  public static JsonObject claims(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1])));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type
        + "-----\n";
  }
}
