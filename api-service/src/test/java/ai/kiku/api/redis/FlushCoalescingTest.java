package ai.kiku.api.redis;

import ai.kiku.api.metering.MeteredProxy;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The write order {@code MeteredProxy}'s early answer relies on, on a Netty channel of its own. */
class FlushCoalescingTest {

    @Test
    void shouldFlushWhatAReadWroteBeforeTasksQueuedDuringThatReadRun() {
        List<Object> seenByTask = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new FlushCoalescing.TurnFlush());
        // behaves like Vert.x's connection handler: writes during a read, flushes at the end of it
        channel.pipeline().addLast(new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.write("settle");
                ctx.executor().execute(() -> seenByTask.add(channel.readOutbound()));
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
            }
        });

        channel.writeInbound("reserve reply");
        channel.runPendingTasks();

        // the task (the answer) finds the settle already flushed; Netty's FlushConsolidationHandler fails this
        assertThat(seenByTask).containsExactly("settle");
    }

    @Test
    void shouldStillSendWritesMadeOutsideARead() {
        EmbeddedChannel channel = new EmbeddedChannel(new FlushCoalescing.TurnFlush());

        channel.pipeline().write("a");
        channel.pipeline().flush();
        channel.pipeline().write("b");
        channel.pipeline().flush();
        channel.runPendingTasks();

        List<Object> sent = new ArrayList<>();
        for (Object m = channel.readOutbound(); m != null; m = channel.readOutbound()) {
            sent.add(m);
        }
        assertThat(sent).containsExactly("a", "b");
    }
}
