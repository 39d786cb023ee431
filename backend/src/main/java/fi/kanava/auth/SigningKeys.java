package fi.kanava.auth;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.Base64;
import java.util.UUID;

/**
 * The ES256 key pair that signs access tokens. The first node to start generates it and stores it
 * in the database; every node (and every restart) then uses the same pair.
 */
public final class SigningKeys {
  static final String PURPOSE = "access-token";
  static final String ALGORITHM = "ES256";

  /** PEM text of the key pair, and the id that goes in each token's header. */
  public record Pem(String keyId, String privatePem, String publicPem) {
    @Override
    public String toString() {
      return "Pem[" + keyId + "]";
    }
  }

  private SigningKeys() {}

  public static Future<Pem> loadOrCreate(Vertx vertx, Pool pool, Clock clock) {
    return load(pool)
        .compose(
            existing -> {
              if (existing != null) {
                return Future.succeededFuture(existing);
              }
              return vertx
                  .executeBlocking(SigningKeys::generate)
                  .compose(
                      pem ->
                          pool.preparedQuery(
                                  "insert into signing_key (purpose, algorithm, key_id, private_pem, public_pem, created_at)"
                                      + " values ($1, $2, $3, $4, $5, $6) on conflict (purpose) do nothing")
                              .execute(Tuple.of(PURPOSE, ALGORITHM, pem.keyId(), pem.privatePem(), pem.publicPem(),
                                  Timestamps.at(clock.instant()))))
                  // another node may have won the race: read back whichever pair was stored
                  .compose(v -> load(pool));
            });
  }

  private static Future<Pem> load(Pool pool) {
    return pool.preparedQuery("select key_id, private_pem, public_pem from signing_key where purpose = $1")
        .execute(Tuple.of(PURPOSE))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new Pem(row.getString("key_id"), row.getString("private_pem"), row.getString("public_pem"));
        });
  }

  private static Pem generate() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    return new Pem(
        UUID.randomUUID().toString(),
        pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
        pem("PUBLIC KEY", pair.getPublic().getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
