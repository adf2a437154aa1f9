package ai.kiku.common.auth;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BearerTokenTest {

    private final BearerToken token = BearerToken.of(Optional.of("s3cret"));

    @Test
    void shouldAcceptOnlyTheConfiguredSecret() {
        assertThat(token.matches("s3cret")).isTrue();
        assertThat(token.matches("s3cre")).isFalse();
        assertThat(token.matches("s3cret ")).isFalse();
        assertThat(token.matches(null)).isFalse();
    }

    @Test
    void shouldReadItFromAnAuthorizationHeader() {
        assertThat(token.matchesAuthorization("Bearer s3cret")).isTrue();
        assertThat(token.matchesAuthorization("bearer s3cret")).isTrue();
        assertThat(token.matchesAuthorization("Basic s3cret")).isFalse();
        assertThat(token.matchesAuthorization("s3cret")).isFalse();
        assertThat(token.matchesAuthorization(null)).isFalse();
    }

    @Test
    void shouldMatchNothingWhenNoSecretIsConfigured() {
        BearerToken unset = BearerToken.of(Optional.of("  "));
        assertThat(unset.configured()).isFalse();
        assertThat(unset.matches("  ")).isFalse();
        assertThat(unset.matchesAuthorization("Bearer ")).isFalse();
    }
}
