package io.cages.cagectl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A plain-text table: a header row, columns two spaces apart, numbers right-aligned when asked. A cell may
 * hold several lines ({@code \n}); the row then grows downwards. The last column is not padded, so lines
 * carry no trailing blanks.
 */
public final class Table {

    private final String[] headers;
    private final BitSet rightAligned = new BitSet();
    private final List<String[]> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = headers.clone();
    }

    /** Right-aligns the given columns (0-based), for numbers. */
    public Table alignRight(int... columns) {
        for (int c : columns) {
            rightAligned.set(c);
        }
        return this;
    }

    public Table row(String... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("expected " + headers.length + " cells, got " + cells.length);
        }
        String[] copy = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            copy[i] = cells[i] == null ? Text.NONE : cells[i];
        }
        rows.add(copy);
        return this;
    }

    public int size() {
        return rows.size();
    }

    /** The table, each line ending with a newline. */
    public String render() {
        List<String[]> lines = new ArrayList<>();
        lines.add(headers);
        for (String[] row : rows) {
            String[][] split = new String[row.length][];
            int height = 1;
            for (int c = 0; c < row.length; c++) {
                split[c] = row[c].split("\n", -1);
                height = Math.max(height, split[c].length);
            }
            for (int l = 0; l < height; l++) {
                String[] line = new String[row.length];
                for (int c = 0; c < row.length; c++) {
                    line[c] = l < split[c].length ? split[c][l] : "";
                }
                lines.add(line);
            }
        }
        int[] widths = new int[headers.length];
        for (String[] line : lines) {
            for (int c = 0; c < line.length; c++) {
                widths[c] = Math.max(widths[c], line[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : lines) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < line.length; c++) {
                if (c > 0) {
                    sb.append("  ");
                }
                boolean last = c == line.length - 1;
                String cell = line[c];
                int pad = widths[c] - cell.length();
                if (rightAligned.get(c)) {
                    sb.append(" ".repeat(pad)).append(cell);
                } else {
                    sb.append(cell);
                    if (!last) {
                        sb.append(" ".repeat(pad));
                    }
                }
            }
            out.append(sb.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return Arrays.toString(headers) + " x " + rows.size();
    }
}
