package ai.kiku.api.provider;

import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** When the built-in local-echo model runs without being asked for: never silently in production. */
class LocalProviderDefaultTest {

    @ParameterizedTest(name = "standins={0} providerKey={1} mode={2} -> local={3}")
    @CsvSource({
            // production: only the local stand-ins (./kiku up) turn it on
            "false, false, NORMAL, false",
            "false, true,  NORMAL, false",
            "true,  false, NORMAL, true",
            "true,  true,  NORMAL, true",
            // dev and test: also when no provider has a key, so a fresh checkout answers something
            "false, false, DEVELOPMENT, true",
            "false, true,  DEVELOPMENT, false",
            "false, false, TEST, true",
            "false, true,  TEST, false",
    })
    void shouldRunTheLocalModelInProductionOnlyWhenTheStandinsAreOn(boolean standins, boolean providerKey,
                                                                    LaunchMode mode, boolean expected) {
        assertThat(ProviderRegistry.localByDefault(standins, providerKey, mode)).isEqualTo(expected);
    }
}
