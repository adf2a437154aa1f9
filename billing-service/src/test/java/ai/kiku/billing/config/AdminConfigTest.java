package ai.kiku.billing.config;

import ai.kiku.common.auth.ServiceTokenGuard;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How operators' tokens given as environment variables ({@code KIKU_ADMIN_OPERATORS_<NAME>}) are named. */
class AdminConfigTest {

    private static Map<String, String> operators(Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(AdminConfig.class)
                .withSources(new EnvConfigSource(env, 300)).build();
        return config.getConfigMapping(AdminConfig.class).operators();
    }

    @Test
    void shouldNameAnOperatorByTheLowercasedRestOfTheVariable() {
        assertThat(operators(Map.of("KIKU_ADMIN_OPERATORS_ALICE", "a".repeat(32), "KIKU_ADMIN_TOKEN", "t")))
                .containsExactly(Map.entry("alice", "a".repeat(32)));
    }

    @Test
    void shouldHaveNoOperatorsWhenNoneIsSet() {
        assertThat(operators(Map.of())).isEmpty();
    }

    /** '_' in a variable reads as '.', a character no name may have: billing then refuses to start, saying why. */
    @Test
    void shouldRefuseADashedNameGivenAsAnEnvironmentVariable() {
        Map<String, String> operators = operators(Map.of("KIKU_ADMIN_OPERATORS_BOB_SMITH", "b".repeat(32)));
        assertThat(operators).containsOnlyKeys("bob.smith");
        assertThatThrownBy(() -> new ServiceTokenGuard(Optional.empty(), operators, Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("kiku.admin.operators.bob.smith")
                .hasMessageContaining("KIKU_ADMIN_OPERATORS_<NAME> takes letters and digits only");
    }
}
