package ai.kiku.bot.service;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import ai.kiku.common.contract.UsageReport;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Draws /usage's PNG on the server (JFreeChart, headless AWT): spend per day stacked by model above,
 * requests per day below, one column per day of the range (days without calls included). The amounts are
 * plotted as dollars (a double is fine for drawing; every amount in text stays exact micro-dollars).
 */
public final class UsageChart {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final Color[] PALETTE = {new Color(0x2f6fde), new Color(0xf28e2b), new Color(0x59a14f),
            new Color(0xe15759), new Color(0x76b7b2), new Color(0xedc948), new Color(0xb07aa1), new Color(0x9c755f)};

    private UsageChart() {
    }

    /**
     * @param rows billing's usage grouped by {@code day-model}: group "YYYY-MM-DD model"
     * @param days the range's days, oldest first
     */
    public static byte[] png(Lang lang, List<UsageReport.Row> rows, List<LocalDate> days, int width, int height) {
        DefaultCategoryDataset spend = new DefaultCategoryDataset();
        DefaultCategoryDataset requests = new DefaultCategoryDataset();
        Map<String, long[]> byDay = new LinkedHashMap<>();
        TreeSet<String> models = new TreeSet<>();
        Map<String, Map<String, Long>> cost = new LinkedHashMap<>();
        for (UsageReport.Row r : rows) {
            String[] parts = split(r.group());
            models.add(parts[1]);
            cost.computeIfAbsent(parts[1], m -> new LinkedHashMap<>()).merge(parts[0], r.costMicros(), Long::sum);
            byDay.computeIfAbsent(parts[0], d -> new long[1])[0] += r.requests();
        }
        if (models.isEmpty()) {
            models.add("—");
        }
        String requestsLabel = Messages.t(lang, "chart.requests");
        for (LocalDate day : days) {
            String iso = day.toString();
            String label = iso.substring(5); // MM-DD
            for (String model : models) {
                long micros = cost.getOrDefault(model, Map.of()).getOrDefault(iso, 0L);
                spend.addValue(micros / 1_000_000.0, model, label);
            }
            long[] n = byDay.get(iso);
            requests.addValue(n == null ? 0 : n[0], requestsLabel, label);
        }

        StackedBarRenderer stacked = new StackedBarRenderer();
        stacked.setBarPainter(new StandardBarPainter());
        stacked.setShadowVisible(false);
        int i = 0;
        for (String ignored : models) {
            stacked.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            i++;
        }
        NumberAxis dollars = new NumberAxis(Messages.t(lang, "chart.spend"));
        CategoryPlot spendPlot = new CategoryPlot(spend, null, dollars, stacked);
        spendPlot.setBackgroundPaint(Color.WHITE);
        spendPlot.setRangeGridlinePaint(new Color(0xdddddd));

        BarRenderer bars = new BarRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setSeriesPaint(0, new Color(0x555555));
        NumberAxis count = new NumberAxis(requestsLabel);
        count.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CategoryPlot requestPlot = new CategoryPlot(requests, null, count, bars);
        requestPlot.setBackgroundPaint(Color.WHITE);
        requestPlot.setRangeGridlinePaint(new Color(0xdddddd));

        CategoryAxis axis = new CategoryAxis();
        axis.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        axis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, days.size() > 40 ? 7 : 10));
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(axis);
        plot.add(spendPlot, 3);
        plot.add(requestPlot, 2);
        JFreeChart chart = new JFreeChart(Messages.t(lang, "chart.title", "days", days.size()),
                new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** "2026-12-01 gpt-4o" → {"2026-12-01", "gpt-4o"}; a group without a model gets "—". */
    static String[] split(String group) {
        String g = group == null ? "" : group;
        int space = g.indexOf(' ');
        return space < 0 ? new String[]{g, "—"} : new String[]{g.substring(0, space), g.substring(space + 1)};
    }

    static List<LocalDate> days(LocalDate first, LocalDate last) {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            days.add(d);
        }
        return days;
    }
}
