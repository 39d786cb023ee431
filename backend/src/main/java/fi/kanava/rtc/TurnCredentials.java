package fi.kanava.rtc;

import fi.kanava.infra.KanavaConfig;
import fi.kanava.rtc.RtcFrames.IceServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived TURN credentials in coturn's shared-secret scheme ({@code use-auth-secret}, the "TURN
 * REST API"): the username is {@code <expiry unix seconds>:<principal id>} and the password is
 * base64(HMAC-SHA1(secret, username)). coturn checks both with the same secret and refuses the
 * username after its expiry; the secret itself never leaves the server (docs/security.md).
 */
public final class TurnCredentials {
  private final KanavaConfig.Rtc config;
  private final Clock clock;

  public TurnCredentials(KanavaConfig.Rtc config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** The ICE servers for one principal: the STUN servers, and the TURN servers with credentials of their own. */
  public List<IceServer> iceServers(UUID principalId) {
    List<IceServer> out = new ArrayList<>();
    if (!config.stunUrls().isEmpty()) {
      out.add(new IceServer(config.stunUrls(), null, null));
    }
    Optional<String> secret = config.turnSecret();
    if (!config.turnUrls().isEmpty() && secret.isPresent()) {
      String username = (clock.instant().getEpochSecond() + config.turnCredentialTtl().toSeconds()) + ":" + principalId;
      out.add(new IceServer(config.turnUrls(), username, password(secret.get(), username)));
    }
    return List.copyOf(out);
  }

  public long ttlSeconds() {
    return config.turnCredentialTtl().toSeconds();
  }

  /** base64(HMAC-SHA1(secret, username)), as coturn computes it. */
  static String password(String secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is not available", e);
    }
  }
}
