package fi.kanava.auth;

import fi.kanava.infra.ConfigException;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ES256 keys that sign access tokens (table {@code signing_key}, whose SQL is all here). Every
 * node reads them at start and every {@link KanavaConfig.SigningKey#CHECK_INTERVAL}, and keeps a
 * {@link KeyRing}. Each read also does what is due, under one advisory lock so that nodes racing
 * do it once: a key stored in plaintext (before migration V5) is sealed and replaced; a successor
 * is made {@link KanavaConfig.SigningKey#PUBLISHED_AHEAD} before the current key's rotation period
 * ends, so every node knows it before anyone signs with it; a key whose last token has expired is
 * deleted. Private keys are sealed with the {@link KeyEncryptionKey}; the database alone cannot
 * sign a token.
 */
public final class SigningKeys {
  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
  static final String PURPOSE = "access-token";
  static final String ALGORITHM = "ES256";
  static final String AUDIENCE = "kanava";
  private static final String LOCK = "select pg_advisory_xact_lock(hashtext('kanava.signing-key'))";

  private final Vertx vertx;
  private final Pool pool;
  private final KeyEncryptionKey kek;
  private final Duration rotationPeriod;
  private final Duration tokenTtl;
  private final String issuer;
  private final Clock clock;
  /** Keys already opened and parsed, by key id: a read of the table rebuilds only what is new. */
  private final Map<String, Opened> opened = new ConcurrentHashMap<>();
  private volatile KeyRing ring;
  private long timer = -1;

  public SigningKeys(Vertx vertx, Pool pool, KeyEncryptionKey kek, KanavaConfig.Auth config, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.kek = kek;
    this.rotationPeriod = config.signingKey().rotationPeriod();
    this.tokenTtl = config.accessTokenTtl();
    this.issuer = config.issuer();
    this.clock = clock;
  }

  /** The keys as last read. */
  public KeyRing ring() {
    KeyRing current = ring;
    if (current == null) {
      throw new IllegalStateException("the signing keys have not been read yet");
    }
    return current;
  }

  /** Reads the keys again every check interval; a failed read is logged and the ring kept. */
  public void startTimer() {
    timer = vertx.setPeriodic(KanavaConfig.SigningKey.CHECK_INTERVAL.toMillis(), id -> refresh()
        .onFailure(e -> log.error("Reading the signing keys failed; keeping the {} known: {}", ring, e.getMessage())));
  }

  public void stopTimer() {
    vertx.cancelTimer(timer);
  }

  /**
   * Seals plaintext keys, makes the next key when one is due, reads every key and deletes those
   * whose tokens have all expired. Fails with a {@link ConfigException} when a key does not open
   * with the configured key-encryption key.
   */
  public Future<KeyRing> refresh() {
    return sealPlaintext()
        .compose(this::rotate)
        .compose(v -> pool.preparedQuery("select key_id, signs_from, public_pem, private_sealed, sealed_with, private_pem"
                + " from signing_key where purpose = $1 order by signs_from")
            .execute(Tuple.of(PURPOSE)))
        .map(rows -> {
          List<Stored> stored = new ArrayList<>();
          rows.forEach(row -> stored.add(Stored.of(row)));
          return stored;
        })
        .compose(stored -> vertx.executeBlocking(() -> build(stored, clock.instant()), false))
        .compose(this::forgetRetired);
  }

  // --- sealing and rotating ------------------------------------------------------------------------------

  /** A row as stored. {@code privatePem} is set only for a key from before sealing. */
  private record Stored(String keyId, Instant signsFrom, String publicPem, byte[] sealed, String sealedWith, String privatePem) {
    static Stored of(Row row) {
      Buffer sealed = row.getBuffer("private_sealed");
      return new Stored(row.getString("key_id"), row.getOffsetDateTime("signs_from").toInstant(), row.getString("public_pem"),
          sealed == null ? null : sealed.getBytes(), row.getString("sealed_with"), row.getString("private_pem"));
    }
  }

  /**
   * Seals the keys stored in plaintext by a server from before sealing, once: only while no key is
   * sealed yet (the first start after the upgrade). A plaintext key that appears later did not come
   * from Kanava (someone who can write the table would sign with it): it is never trusted.
   * True when this node sealed a key, which is then replaced at once.
   */
  private Future<Boolean> sealPlaintext() {
    return pool.preparedQuery("select key_id, private_pem, public_pem from signing_key where purpose = $1 and private_pem is not null"
            + " and not exists (select 1 from signing_key where purpose = $1 and private_sealed is not null)")
        .execute(Tuple.of(PURPOSE))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          List<Stored> plain = new ArrayList<>();
          rows.forEach(row -> plain.add(new Stored(row.getString("key_id"), null, row.getString("public_pem"), null, null,
              row.getString("private_pem"))));
          return vertx.executeBlocking(() -> {
                Map<String, byte[]> sealed = new java.util.LinkedHashMap<>();
                plain.forEach(key -> sealed.put(key.keyId(),
                    kek.seal(key.keyId(), key.publicPem(), key.privatePem().getBytes(StandardCharsets.UTF_8))));
                return sealed;
              }, false)
              .compose(sealed -> {
                Future<Integer> updated = Future.succeededFuture(0);
                for (var entry : sealed.entrySet()) {
                  updated = updated.compose(n -> pool.preparedQuery("update signing_key set private_sealed = $2, sealed_with = $3,"
                          + " private_pem = null where key_id = $1 and private_pem is not null")
                      .execute(Tuple.of(entry.getKey(), Buffer.buffer(entry.getValue()), kek.fingerprint()))
                      .map(r -> n + r.rowCount()));
                }
                return updated;
              })
              .map(count -> {
                if (count > 0) {
                  log.warn("Sealed {} signing key(s) that were stored in plaintext; a new key replaces them within {} minutes",
                      count, KanavaConfig.SigningKey.PUBLISHED_AHEAD.toMinutes());
                }
                return count > 0;
              });
        });
  }

  /** The newest key's id and when it signs from, or null. */
  private record Newest(String keyId, Instant signsFrom) {}

  private static Future<Newest> newest(SqlClient client) {
    return client.preparedQuery("select key_id, signs_from from signing_key where purpose = $1 order by signs_from desc limit 1")
        .execute(Tuple.of(PURPOSE))
        .map(rows -> rows.size() == 0 ? null
            : new Newest(rows.iterator().next().getString(0), rows.iterator().next().getOffsetDateTime(1).toInstant()));
  }

  /** When a successor of {@code newest} should start signing, or null when none is due yet. */
  private Instant successorStart(Newest newest, Instant now, boolean replaceNow) {
    Duration ahead = KanavaConfig.SigningKey.PUBLISHED_AHEAD;
    if (newest == null) {
      return now;
    }
    if (newest.signsFrom().isAfter(now)) {
      // a successor is already published and waiting for its time
      return null;
    }
    if (replaceNow) {
      return now.plus(ahead);
    }
    Instant due = newest.signsFrom().plus(rotationPeriod);
    if (due.minus(ahead).isAfter(now)) {
      return null;
    }
    return due.isAfter(now.plus(ahead)) ? due : now.plus(ahead);
  }

  /**
   * Makes the next key if one is due: generated on a worker first, then inserted under the lock
   * only if the newest key is still the one seen (another node may have made it meanwhile).
   */
  private Future<Void> rotate(boolean replaceNow) {
    return newest(pool).compose(seen -> {
      if (successorStart(seen, clock.instant(), replaceNow) == null) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(this::generate, false)
          .compose(key -> pool.withTransaction(tx -> tx.query(LOCK).execute()
              .compose(v -> newest(tx))
              .compose(current -> {
                boolean unchanged = current == null ? seen == null : seen != null && current.keyId().equals(seen.keyId());
                Instant start = unchanged ? successorStart(current, clock.instant(), replaceNow) : null;
                if (start == null) {
                  return Future.succeededFuture();
                }
                log.info("New signing key {}: signs from {}", key.keyId(), start);
                return tx.preparedQuery("insert into signing_key (purpose, algorithm, key_id, public_pem, private_sealed, sealed_with,"
                        + " signs_from, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .execute(Tuple.of(PURPOSE, ALGORITHM, key.keyId(), key.publicPem(), Buffer.buffer(key.sealed()), kek.fingerprint())
                        .addValue(Timestamps.at(start))
                        .addValue(Timestamps.at(clock.instant())))
                    .<Void>mapEmpty();
              })));
    });
  }

  /** A new key pair, its private half already sealed. */
  private record NewKey(String keyId, String publicPem, byte[] sealed) {}

  private NewKey generate() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    String keyId = UUID.randomUUID().toString();
    byte[] privatePem = pem("PRIVATE KEY", pair.getPrivate().getEncoded()).getBytes(StandardCharsets.UTF_8);
    String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
    return new NewKey(keyId, publicPem, kek.seal(keyId, publicPem, privatePem));
  }

  // --- reading ----------------------------------------------------------------------------------------------

  /** A key opened and parsed once: its signer and verifier, and its public key for the JWK set. */
  private record Opened(JWTAuth jwt, ECPublicKey publicKey) {}

  /**
   * Builds the ring (on a worker: opening and parsing keys is CPU work). Only keys that open count,
   * also for when the key before them stops verifying; a key in plaintext (one that appeared after
   * sealing) is left out.
   */
  private KeyRing build(List<Stored> stored, Instant now) throws Exception {
    List<Stored> trusted = new ArrayList<>();
    for (Stored row : stored) {
      if (row.sealed() == null) {
        log.error("The signing key {} is stored in plaintext after keys were sealed: it did not come from Kanava and is not trusted"
            + " (who can write the table signing_key?)", row.keyId());
        continue;
      }
      if (!opened.containsKey(row.keyId())) {
        try {
          opened.put(row.keyId(), open(row));
        } catch (ConfigException e) {
          if (ring == null) {
            // at start: a key that does not open is a configuration error, named and fatal
            throw e;
          }
          // later: a row that appeared and does not open is not a key of ours; the others go on working
          log.error("Signing key {} left out: {}", row.keyId(), e.getMessage());
          continue;
        }
      }
      trusted.add(row);
    }
    List<KeyRing.Key> keys = new ArrayList<>();
    for (int i = 0; i < trusted.size(); i++) {
      Stored row = trusted.get(i);
      Optional<Instant> until = i + 1 < trusted.size()
          ? Optional.of(trusted.get(i + 1).signsFrom().plus(tokenTtl).plus(KanavaConfig.SigningKey.PUBLISHED_AHEAD))
          : Optional.empty();
      Opened key = opened.get(row.keyId());
      keys.add(new KeyRing.Key(row.keyId(), row.signsFrom(), until, key.jwt(), key.publicKey()));
    }
    if (keys.isEmpty()) {
      throw new IllegalStateException("no signing key in the database opens");
    }
    return new KeyRing(keys);
  }

  private Opened open(Stored row) throws Exception {
    if (!kek.fingerprint().equals(row.sealedWith())) {
      throw new ConfigException(KeyEncryptionKey.KEY_SETTING, "the signing keys in the database were sealed with the"
          + " key-encryption key " + row.sealedWith() + ", but " + kek.source() + " holds " + kek.fingerprint()
          + ". Configure the key they were sealed with. If it is lost, delete the rows of signing_key and start again:"
          + " every access token then fails once and clients refresh.");
    }
    String privatePem;
    try {
      privatePem = new String(kek.open(row.keyId(), row.publicPem(), row.sealed()), StandardCharsets.UTF_8);
    } catch (KeyEncryptionKey.Unreadable e) {
      throw new ConfigException(KeyEncryptionKey.KEY_SETTING, "the signing key " + row.keyId() + " does not open with the"
          + " key-encryption key " + kek.fingerprint() + " that sealed it: its row was altered. Delete the rows of signing_key"
          + " and start again: every access token then fails once and clients refresh.");
    }
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setId(row.keyId()).setBuffer(privatePem))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setId(row.keyId()).setBuffer(row.publicPem()))
        .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM).setIssuer(issuer).addAudience(AUDIENCE)
            // checked by AccessTokens against the injected clock
            .setIgnoreExpiration(true)));
    return new Opened(jwt, publicKey(row.publicPem()));
  }

  /** Keeps the new ring, and deletes the keys it left out: every token they signed has expired. */
  private Future<KeyRing> forgetRetired(KeyRing built) {
    Instant now = clock.instant();
    List<String> current = built.keyIds(now);
    List<String> retired = opened.keySet().stream().filter(id -> !current.contains(id)).toList();
    ring = built;
    if (retired.isEmpty()) {
      return Future.succeededFuture(built);
    }
    retired.forEach(opened::remove);
    log.info("Signing keys {} retired: every token they signed has expired", retired);
    return pool.preparedQuery("delete from signing_key where purpose = $1 and key_id = any($2)")
        .execute(Tuple.of(PURPOSE, (Object) retired.toArray(String[]::new)))
        .map(built);
  }

  private static ECPublicKey publicKey(String pem) throws Exception {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
