package ai.kiku.common.money;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pins every outcome's code to the line of its Lua script that returns it, so reordering either side fails here. */
class LuaResultCodesTest {

    private static final Pattern RETURN_CODE = Pattern.compile("return \\{(\\d+),");

    @ParameterizedTest
    @CsvSource(quoteCharacter = '"', value = {
            "RESERVED,           0, return {0, balance, held + amount",
            "INSUFFICIENT_FUNDS, 1, if balance - held < amount or balance < 0 then return {1,",
            "RATE_LIMITED,       2, if used > rpm then return {2,",
            "KEY_INACTIVE,       3, if k[1] ~= 'active' then return {3,",
            "ACCOUNT_INACTIVE,   4, if f[1] ~= 'active' then return {4,",
            "NO_ACCOUNT,         5, if not f[1] then return {5,",
            "DUPLICATE_HOLD,     6, if redis.call('HSETNX', holds, hold_id, ARGV[2] .. ':' .. key_id .. ':o') == 0 then return {6,",
            "KEY_EXPIRED,        7, if k[3] and k[3] ~= '' and now >= tonumber(k[3]) then return {7,",
            "MODEL_NOT_ALLOWED,  8, not string.find(k[4], '\\n' .. model .. '\\n', 1, true) then return {8,",
            "TOKEN_RATE_LIMITED, 9, if counted + tokens > tpm then return {9,",
            "SPEND_CAP_REACHED,  10, if spent + key_held + amount > cap then return {10,",
            "MONTHLY_SPEND_CAP_REACHED, 11, return {11, balance, held, rpm, remaining, reset, mcap",
    })
    void reserveOutcomeCarriesTheCodeReserveLuaReturnsForIt(ReserveOutcome outcome, int code, String line) {
        assertThat(script("reserve.lua")).contains(line);
        assertThat(outcome.code()).isEqualTo(code);
        assertThat(ReserveOutcome.fromCode(code)).isEqualTo(outcome);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "APPLIED      | 0 | return {0, balance, num(f[2])}",
            "DUPLICATE    | 1 | return {1, num(f[1]), num(f[2])}",
            "NO_ACCOUNT   | 2 | if not redis.call('HGET', acct, 'status') then return {2, 0, 0}",
            "OUT_OF_RANGE | 3 | if after > MAX_BALANCE or after < -MAX_BALANCE then return {3,",
    })
    void creditOutcomeCarriesTheCodeCreditLuaReturnsForIt(CreditOutcome outcome, int code, String line) {
        assertThat(script("credit.lua")).contains(line);
        assertThat(outcome.code()).isEqualTo(code);
        assertThat(CreditOutcome.fromCode(code)).isEqualTo(outcome);
    }

    @Test
    void everyCodeAScriptReturnsHasExactlyOneOutcome() {
        assertThat(codesReturnedBy("reserve.lua")).isEqualTo(
                Arrays.stream(ReserveOutcome.values()).map(ReserveOutcome::code).collect(Collectors.toCollection(TreeSet::new)));
        assertThat(codesReturnedBy("credit.lua")).isEqualTo(
                Arrays.stream(CreditOutcome.values()).map(CreditOutcome::code).collect(Collectors.toCollection(TreeSet::new)));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 12, 42, Integer.MAX_VALUE})
    void unknownReserveCodeIsRefusedLoudly(int code) {
        assertThatThrownBy(() -> ReserveOutcome.fromCode(code)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reserve.lua").hasMessageContaining(Integer.toString(code));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 4, 6, Integer.MIN_VALUE})
    void unknownCreditCodeIsRefusedLoudly(int code) {
        assertThatThrownBy(() -> CreditOutcome.fromCode(code)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("credit.lua").hasMessageContaining(Integer.toString(code));
    }

    private static Set<Integer> codesReturnedBy(String name) {
        Set<Integer> codes = new TreeSet<>();
        Matcher m = RETURN_CODE.matcher(script(name));
        while (m.find()) {
            codes.add(Integer.parseInt(m.group(1)));
        }
        return codes;
    }

    private static String script(String name) {
        try (InputStream in = LuaResultCodesTest.class.getResourceAsStream("/lua/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
