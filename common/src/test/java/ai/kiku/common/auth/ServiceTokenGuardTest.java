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

    private static final String LONG = "0123456789abcdef0123456789abcdef";

    @Test
    void shouldRefuseAnOperatorTokenShorterThan32Characters() {
        assertThatThrownBy(() -> new ServiceTokenGuard(Optional.empty(), Map.of("alice", "short"), Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kiku.admin.operators.alice").hasMessageContaining("at least 32 characters");
    }

    @Test
    void shouldRefuseAnOperatorNameOutsideLowercaseLettersDigitsAndDashes() {
        for (String name : new String[] {"Alice", "al ice", "a".repeat(65), "admin-token", "a.b"}) {
            assertThatThrownBy(() -> new ServiceTokenGuard(Optional.empty(), Map.of(name, LONG), Map.of()))
                    .as(name).isInstanceOf(IllegalStateException.class).hasMessageContaining("operator's name");
        }
    }

    @Test
    void shouldRefuseAnOperatorTokenSharedWithAnotherOperatorTheAdminTokenOrAService() {
        assertThatThrownBy(() -> new ServiceTokenGuard(Optional.empty(), Map.of("alice", LONG, "bob", LONG), Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("same token");
        assertThatThrownBy(() -> new ServiceTokenGuard(Optional.of(LONG), Map.of("alice", LONG), Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("kiku.admin.token");
        assertThatThrownBy(() -> new ServiceTokenGuard(Optional.empty(), Map.of("alice", LONG),
                Map.of(InternalCaller.WEBHOOK, Optional.of(LONG))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("kiku.internal.tokens.webhook");
    }

    @Test
    void shouldCountNamedOperatorsAsConfiguredAdminsBesideTheSharedToken() {
        ServiceTokenGuard guard = new ServiceTokenGuard(Optional.empty(), Map.of("alice", LONG, "b-2", LONG + "x"),
                Map.of());
        assertThat(guard.adminConfigured()).isTrue();
        assertThat(guard.sharedAdminTokenConfigured()).isFalse();
        assertThat(guard.namedOperators()).containsExactly("alice", "b-2");
    }
}
