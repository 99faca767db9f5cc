package dev.freshet.loadtest.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Panels stacked over one time axis (seconds since the scenario started), drawn into a PNG with the JDK
 * alone (headless AWT). Each panel auto-scales to its data and holds point or line series with a legend;
 * enough to see at a glance whether latency, freshness or memory drifts, not a charting library.
 */
public final class Plot {

    /** Distinct colours for series, in order. */
    public static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf)};

    private static final int WIDTH = 1000;
    private static final int PANEL_HEIGHT = 260;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private record Series(String name, Color color, double[] x, double[] y, boolean line) {}

    /** One panel: a title, a y-axis label, and its series. */
    public static final class Panel {
        private final String title;
        private final String yLabel;
        private final List<Series> series = new ArrayList<>();

        private Panel(String title, String yLabel) {
            this.title = title;
            this.yLabel = yLabel;
        }

        public Panel points(String name, Color color, double[] x, double[] y) {
            series.add(new Series(name, color, x, y, false));
            return this;
        }

        public Panel line(String name, Color color, double[] x, double[] y) {
            series.add(new Series(name, color, x, y, true));
            return this;
        }
    }

    private final List<Panel> panels = new ArrayList<>();

    public Panel panel(String title, String yLabel) {
        Panel p = new Panel(title, yLabel);
        panels.add(p);
        return p;
    }

    public void write(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true"); // before the first AWT class loads its toolkit
        double xMax = 1;
        for (Panel p : panels) {
            for (Series s : p.series) {
                for (double x : s.x) {
                    xMax = Math.max(xMax, x);
                }
            }
        }
        BufferedImage img = new BufferedImage(WIDTH, PANEL_HEIGHT * Math.max(1, panels.size()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int i = 0; i < panels.size(); i++) {
                draw(g, panels.get(i), i * PANEL_HEIGHT, xMax);
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private static void draw(Graphics2D g, Panel p, int y0, double xMax) {
        double yMin = 0;
        double yMax = 0;
        for (Series s : p.series) {
            for (double y : s.y) {
                if (Double.isFinite(y)) {
                    yMax = Math.max(yMax, y);
                    yMin = Math.min(yMin, y);
                }
            }
        }
        yMax = yMax == yMin ? yMin + 1 : yMax + (yMax - yMin) * 0.05;
        int w = WIDTH - LEFT - RIGHT;
        int h = PANEL_HEIGHT - TOP - BOTTOM;
        int top = y0 + TOP;
        g.setColor(Color.BLACK);
        g.drawString(p.title, LEFT, y0 + 18);
        g.drawRect(LEFT, top, w, h);
        for (int t = 0; t <= 5; t++) {
            double yv = yMin + (yMax - yMin) * t / 5;
            int py = top + h - (int) Math.round(h * (double) t / 5);
            double xv = xMax * t / 5;
            int px = LEFT + (int) Math.round(w * (double) t / 5);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT + 1, py, LEFT + w - 1, py);
            g.setColor(Color.DARK_GRAY);
            g.drawString(Table.format(yv), 8, py + 4);
            g.drawString(Table.format(xv), px - 10, top + h + 15);
        }
        g.drawString(p.yLabel, LEFT + 8 + g.getFontMetrics().stringWidth(p.title) + 12, y0 + 18);
        g.drawString("seconds since start", LEFT + w / 2 - 50, top + h + 32);
        int legendY = top + 14;
        for (Series s : p.series) {
            g.setColor(s.color);
            int prevX = -1;
            int prevY = -1;
            g.setStroke(new BasicStroke(1.5f));
            for (int i = 0; i < s.x.length; i++) {
                if (!Double.isFinite(s.y[i])) {
                    continue;
                }
                int px = LEFT + (int) Math.round(w * s.x[i] / xMax);
                int py = top + h - (int) Math.round(h * (s.y[i] - yMin) / (yMax - yMin));
                if (s.line) {
                    if (prevX >= 0) {
                        g.drawLine(prevX, prevY, px, py);
                    }
                    prevX = px;
                    prevY = py;
                } else {
                    g.fillRect(px - 1, py - 1, 3, 3);
                }
            }
            g.fillRect(LEFT + w - 170, legendY - 8, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(s.name, LEFT + w - 155, legendY + 1);
            legendY += 14;
        }
    }
}
