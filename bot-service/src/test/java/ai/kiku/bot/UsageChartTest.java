package ai.kiku.bot;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.service.UsageChart;
import ai.kiku.common.contract.UsageReport;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The /usage chart renders headless to a PNG of the asked size; the example in docs/ comes from here. */
class UsageChartTest {

    @Test
    void shouldDrawAPngOfSpendByModelAndRequestsPerDay() throws Exception {
        LocalDate last = LocalDate.of(2026, 12, 6);
        List<LocalDate> days = new ArrayList<>();
        List<UsageReport.Row> rows = new ArrayList<>();
        for (int i = 29; i >= 0; i--) {
            LocalDate d = last.minusDays(i);
            days.add(d);
            if (i % 7 != 3) {
                rows.add(UsageReport.Row.of(d + " gpt-4o-mini", 40 + i * 3L, 30_000, 9_000, 45_000 + i * 2_000L));
                rows.add(UsageReport.Row.of(d + " claude-sonnet", 5 + i % 4, 12_000, 4_000, 90_000 + (i % 5) * 30_000L));
            }
            if (i < 10) {
                rows.add(UsageReport.Row.of(d + " local-echo", 100, 1_000, 1_000, 1_000));
            }
        }
        byte[] png = UsageChart.png(Lang.EN, rows, days, 1000, 700);

        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(700);
        Path out = Path.of("target", "bot-usage-chart.png");
        Files.createDirectories(out.getParent());
        Files.write(out, png);
        assertThat(UsageChart.png(Lang.RU, List.of(), days.subList(0, 7), 600, 400)).startsWith(0x89, 'P', 'N', 'G');
    }
}
