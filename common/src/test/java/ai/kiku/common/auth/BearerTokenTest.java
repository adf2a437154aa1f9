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

    @Test
    void shouldReadCredentialsByOneRuleCaseInsensitiveSchemeAndOneOrMoreSpaces() {
        assertThat(BearerToken.credentials("Bearer s3cret")).isEqualTo("s3cret");
        assertThat(BearerToken.credentials("bEaReR s3cret")).isEqualTo("s3cret");
        assertThat(BearerToken.credentials("Bearer   s3cret")).isEqualTo("s3cret");
        assertThat(BearerToken.credentials("Bearer a+b/c-d.e_f~g==")).isEqualTo("a+b/c-d.e_f~g==");
        for (String refused : new String[]{null, "", "Bearer", "Bearer ", "Bearer   ", "Bearers3cret",
                "Bearer\ts3cret", "Bearer \ts3cret", "Bearer s3cret\t", "Bearer s3cret x", "Bearer s3\u00a0cret",
                "Bearer s3cr\u00e9t", "Basic s3cret", " Bearer s3cret", "Bearer\u00a0s3cret"}) {
            assertThat(BearerToken.credentials(refused)).as(String.valueOf(refused)).isNull();
            assertThat(token.matchesAuthorization(refused)).as(String.valueOf(refused)).isFalse();
        }
        assertThat(token.matchesAuthorization("BEARER  s3cret")).isTrue();
    }
}
