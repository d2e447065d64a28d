package io.cages.cagectl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TableTest {

    @Test
    void padsColumnsAndLeavesNoTrailingBlanks() {
        String table = new Table("NAME", "N", "NOTE")
                .alignRight(1)
                .row("hello", "3", "x")
                .row("greeter", "12", null)
                .render();
        assertEquals("""
                NAME      N  NOTE
                hello     3  x
                greeter  12  -
                """, table);
        for (String line : table.split("\n")) {
            assertEquals(line.stripTrailing(), line);
        }
    }

    @Test
    void multiLineCellsGrowTheRowDownwards() {
        String table = new Table("CAGE", "VERSIONS", "SOURCE")
                .row("hello", "1.0.1 ACTIVE\n1.0.0 DRAINING", "a.jar")
                .row("b", "2.0", "b.jar")
                .render();
        assertEquals("""
                CAGE   VERSIONS        SOURCE
                hello  1.0.1 ACTIVE    a.jar
                       1.0.0 DRAINING
                b      2.0             b.jar
                """, table);
    }

    @Test
    void rejectsRowsOfTheWrongWidth() {
        Table table = new Table("A", "B");
        assertThrows(IllegalArgumentException.class, () -> table.row("only one"));
        assertFalse(table.render().isEmpty());
    }
}
