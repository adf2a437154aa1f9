package ai.kiku.api.provider;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SseParserTest {

    @Test
    void shouldReassembleEventsSplitAnywhereEvenInsideAUtf8Character() {
        byte[] stream = ("data: {\"content\":\"日本語\"}\r\n\r\n: keep-alive\n\ndata: line one\ndata: line two\n\n"
                + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < stream.length; cut++) {
            List<String> events = new ArrayList<>();
            SseParser parser = new SseParser(events::add);
            parser.feed(Buffer.buffer(Arrays.copyOfRange(stream, 0, cut)));
            parser.feed(Buffer.buffer(Arrays.copyOfRange(stream, cut, stream.length)));
            assertThat(events).as("cut at %d", cut)
                    .containsExactly("{\"content\":\"日本語\"}", "line one\nline two", "[DONE]");
        }
    }

    @Test
    void shouldNameEventsThatHaveAnEventField() {
        List<String> events = new ArrayList<>();
        SseParser parser = SseParser.named((name, data) -> events.add(name + "=" + data));
        parser.feed(Buffer.buffer("event: response.created\ndata: {\"a\":1}\n\ndata: {\"b\":2}\n\n"
                + "event:response.completed\r\ndata: {}\r\n\r\n"));
        assertThat(events).containsExactly("response.created={\"a\":1}", "null={\"b\":2}", "response.completed={}");
    }

    @Test
    void shouldDeliverAnUnterminatedLastEventAtTheEnd() {
        List<String> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        parser.feed(Buffer.buffer("data: {\"a\":1}"));
        assertThat(events).isEmpty();
        parser.finish();
        assertThat(events).containsExactly("{\"a\":1}");
    }
}
