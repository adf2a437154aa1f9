package ai.kiku.common.auth;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceTokenGuardTest {

    @Test
    void shouldRefuseOneTokenForTwoCallers() {
        assertThatThrownBy(() -> new ServiceTokenGuard(Optional.of("admin"), Map.of(
                InternalCaller.API, Optional.of("same"), InternalCaller.BOT, Optional.of(" same "))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("same token");
    }

    @Test
    void shouldNameOnlyTheServedCallersWhoseTokenIsUnset() {
        ServiceTokenGuard guard = new ServiceTokenGuard(Optional.empty(), Map.of(
                InternalCaller.BOT, Optional.of("bot"), InternalCaller.WEBHOOK, Optional.of("  ")));
        assertThat(guard.unconfiguredCallers()).containsExactly(InternalCaller.WEBHOOK);
        assertThat(guard.adminConfigured()).isFalse();
    }
}
