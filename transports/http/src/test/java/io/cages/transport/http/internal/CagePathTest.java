package io.cages.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Request targets and client request ids, without a channel. */
class CagePathTest {

    @Test
    void twoSegmentsWithOptionalQuery() throws Exception {
        CagePath path = CagePath.parse("/hello/greet?name=Ann&x=1");
        assertEquals("hello", path.cage());
        assertEquals("greet", path.operation());
        assertEquals("/hello/greet", path.rawPath());
        assertEquals("name=Ann&x=1", path.query());
        assertNull(CagePath.parse("/hello/greet").query());
        assertEquals("x/y", CagePath.parse("/hello/x%2Fy").operation(), "an encoded slash belongs to the segment");
        assertEquals("b", CagePath.parse("https://example.com:8443/a/b").operation());
    }

    @Test
    void otherShapesAreNotCageTargets() throws Exception {
        for (String uri : new String[] {"", "/", "/a", "/a/", "//b", "/a/b/", "/a/b/c", "/a?x=/b", "*", "http://h", "http://h/a"}) {
            assertNull(CagePath.parse(uri), uri);
        }
        assertEquals("b", CagePath.parse("/a/b?next=/c/d").operation(), "slashes in the query do not count");
    }

    @Test
    void malformedEscapesAreBadRequests() {
        assertThrows(BadRequestException.class, () -> CagePath.parse("/a/b%zz"));
    }

    @Test
    void requestIdsAreShortAndPlain() {
        assertTrue(RequestIds.isSane("abc-DEF_1.2"));
        assertTrue(RequestIds.isSane("x".repeat(64)));
        assertFalse(RequestIds.isSane("x".repeat(65)));
        assertFalse(RequestIds.isSane(""));
        assertFalse(RequestIds.isSane(null));
        assertFalse(RequestIds.isSane("a b"));
        assertFalse(RequestIds.isSane("a\r\nb"));
        assertFalse(RequestIds.isSane("é"));
    }
}
