package io.cages.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.testcages.flaky.FlakyCage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium) against a
 * real host running a cage named hello under load from a client thread: the page asks for the admin token and
 * then shows the flock, the rate chart gets new points, and a live update made from the console's deploy form
 * appears as a marker on the charts. The charts' data are read through the page's script, not from pixels.
 * Then a guarded deploy from the console of a cage version that fails (under its own load) is rolled back by the
 * host, and the page shows why; the console's rollback button swaps hello back to its previous version.
 *
 * <p>{@code tools/console/find-chromium} finds the browser, installing it as root. When it cannot be had (not
 * root) the test is skipped, except under CI ({@code CI=true}), where that is a failure.
 */
class ConsoleBrowserTest {

    private static final String TOKEN = "browser-test-token";
    private static final Path FIND_CHROMIUM = Path.of(System.getProperty("cages.repo", "../..")).resolve("tools/console/find-chromium");

    @TempDir
    Path dir;

    @Test
    void consoleShowsTheFlockLiveChartsAndASwapMarker() throws Exception {
        Map<String, String> browser = findChromium();
        HostConfig config = HostConfig.defaults()
                .withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral().withAdmin("127.0.0.1", TOKEN));
        try (Host host = Host.start(config, List.of(new HttpTransport()))) {
            assertTrue(host.admin().deploy(TestCages.build("hello", "1.0.0", VersionCage.class), "test").succeeded());
            Path v2 = dir.resolve("hello-2.0.0.jar");
            Files.write(v2, TestCages.build("hello", "2.0.0", VersionCage.class));
            assertTrue(host.admin().deploy(TestCages.build("flaky", "1.0.0", FlakyCage.class), "test").succeeded());
            Path flaky2 = dir.resolve("flaky-2.0.0.jar");
            Files.write(flaky2, TestCages.build("flaky", "2.0.0", FlakyCage.class));
            HttpTransport transport = host.transport(HttpTransport.class).orElseThrow();

            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Thread load = Thread.ofPlatform().name("console-test-load").start(() -> {
                try (HttpTestClient http = HttpTestClient.local(transport.port())) {
                    while (loading.get()) {
                        if (http.get("/hello/version").status() == 200) {
                            answered.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // a steady load, not all the CPU
                    }
                }
            });
            // The flaky cage's own load: its failures are the broken version's, counted apart from hello's.
            AtomicInteger flakyFailed = new AtomicInteger();
            Thread flakyLoad = Thread.ofPlatform().name("console-test-flaky-load").start(() -> {
                try (HttpTestClient http = HttpTestClient.local(transport.port())) {
                    while (loading.get()) {
                        if (http.get("/flaky/work").status() != 200) {
                            flakyFailed.incrementAndGet();
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                }
            });
            ChromeDriver driver = startChromium(browser);
            try {
                String console = "http://127.0.0.1:" + transport.adminPort() + "/console";
                driver.get(console);
                // A token is set: the page asks for it once, then shows the console.
                await(driver, "the console asks for the admin token", "return !document.getElementById('login').hidden");
                driver.findElement(By.id("token")).sendKeys(TOKEN);
                driver.findElement(By.cssSelector("#login button")).click();
                await(driver, "the flock shows hello 1.0.0", "return Array.from(document.querySelectorAll('#flock tbody tr'))"
                        + ".some(r => r.cells.length > 5 && r.cells[1].textContent === 'hello' && r.cells[2].textContent === '1.0.0' && r.cells[5].textContent === 'up')");
                assertEquals(console, driver.getCurrentUrl(), "the token never goes in a URL");
                assertEquals(TOKEN, driver.executeScript("return sessionStorage.getItem('cages.adminToken')"), "kept for this tab");

                // New points under load: a slot with requests, then a later slot with requests as time moves on.
                long first = newestSlotWithRequests(driver, 0);
                long later = newestSlotWithRequests(driver, first);
                assertTrue(later > first, "the rate chart got a newer point: " + first + " -> " + later);
                Object p99 = driver.executeScript("var d = cagesConsole.data('minute', 'latency'); return d[2].filter(v => v !== null).length");
                assertTrue(((Number) p99).intValue() > 0, "the latency chart has p99 points");

                // A live update from the console's deploy form, under load: a marker on the charts.
                driver.findElement(By.id("deploy-jar")).sendKeys(v2.toAbsolutePath().toString());
                driver.findElement(By.cssSelector("#deploy button")).click();
                await(driver, "the console says 2.0.0 is active",
                        "return document.getElementById('deploy-result').textContent.startsWith('hello 2.0.0 is active')");
                await(driver, "the swap to 2.0.0 is a marker on the minute charts",
                        "return cagesConsole.markers('minute').some(m => m.cage === 'hello' && m.from === '1.0.0' && m.to === '2.0.0' && m.ok)");
                await(driver, "and on the hour charts",
                        "return cagesConsole.markers('hour').some(m => m.to === '2.0.0')");
                assertTrue(Integer.parseInt(driver.findElement(By.cssSelector("#charts-minute [data-chart=rate]")).getAttribute("data-swaps")) >= 1);
                await(driver, "the flock shows hello 2.0.0", "return Array.from(document.querySelectorAll('#flock tbody tr'))"
                        + ".some(r => r.cells.length > 2 && r.cells[1].textContent === 'hello' && r.cells[2].textContent === '2.0.0')");
                await(driver, "the deploy history lists the console's update", "return Array.from(document.querySelectorAll('#history tbody tr'))"
                        + ".some(r => r.cells.length > 8 && r.cells[2].textContent === 'UPDATE' && r.cells[5].textContent === '2.0.0' && r.cells[8].textContent === 'console:hello-2.0.0.jar')");

                // A failing guarded deploy from the console: the host rolls it back and the page says why.
                driver.findElement(By.id("deploy-jar")).sendKeys(flaky2.toAbsolutePath().toString());
                driver.findElement(By.id("deploy-watch")).sendKeys("3s");
                driver.findElement(By.cssSelector("#deploy button")).click();
                await(driver, "the deploy form says flaky 2.0.0 was rolled back and why",
                        "return document.getElementById('deploy-result').textContent.startsWith('flaky 2.0.0: rolled back (rolled back: error rate 100.0%')");
                await(driver, "the rollouts table shows the rollback with its reason", "return Array.from(document.querySelectorAll('#rollouts tbody tr'))"
                        + ".some(r => r.cells.length >= 8 && r.cells[2].textContent === 'flaky' && r.cells[4].textContent === '2.0.0' && r.cells[5].textContent === 'rolled back'"
                        + " && r.cells[7].textContent.startsWith('rolled back: error rate 100.0%') && r.cells[7].textContent.includes('threshold +5 points'))");
                await(driver, "the deploy history shows the rollback with its reason", "return Array.from(document.querySelectorAll('#history tbody tr'))"
                        + ".some(r => r.cells.length > 9 && r.cells[2].textContent === 'ROLLBACK' && r.cells[3].textContent === 'flaky' && r.cells[4].textContent === '2.0.0'"
                        + " && r.cells[5].textContent === '1.0.0' && r.cells[9].textContent.startsWith('rolled back: error rate 100.0%'))");
                assertEquals("1.0.0", host.admin().cages().stream().filter(c -> c.name().equals("flaky")).findFirst().orElseThrow().activeVersion());

                // The rollback button: hello goes back from 2.0.0 to 1.0.0, live, under its load.
                driver.executeScript("window.confirm = () => true;");
                driver.findElement(By.cssSelector("#cages button.rollback[data-cage=hello]")).click();
                await(driver, "the console says hello was rolled back",
                        "return document.getElementById('deploy-result').textContent === 'hello rolled back to 1.0.0 (was 2.0.0)'");
                await(driver, "the flock shows hello 1.0.0 again", "return Array.from(document.querySelectorAll('#flock tbody tr'))"
                        + ".some(r => r.cells.length > 2 && r.cells[1].textContent === 'hello' && r.cells[2].textContent === '1.0.0')");
            } finally {
                // What the browser showed, for whoever reads a failure (target/ of this module).
                try {
                    Files.write(Path.of("target", "console-browser-test.png"), driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
                } catch (RuntimeException | IOException e) {
                    System.out.println("console browser test: no screenshot: " + e);
                }
                driver.quit();
                loading.set(false);
                load.join();
                flakyLoad.join();
            }
            System.out.printf("console browser test: %d requests answered during it, %d failed; flaky 2.0.0 failed %d in its window%n",
                    answered.get(), failed.get(), flakyFailed.get());
            assertEquals(0, failed.get(), "no request failed while the console watched and the cage was updated");
        }
    }

    /** Waits until the minute rate chart has requests in a slot newer than {@code after}; returns that slot's time. */
    private static long newestSlotWithRequests(ChromeDriver driver, long after) {
        String newest = "var d = cagesConsole.data('minute', 'rate'); if (!d) return 0;"
                + " var t = 0; for (var i = 0; i < d[0].length; i++) { if (d[1][i] > 0) t = d[0][i]; } return t;";
        long[] seen = new long[1];
        Await.until("the rate chart has a point with requests after " + after, Duration.ofSeconds(40), () -> {
            seen[0] = ((Number) driver.executeScript(newest)).longValue();
            return seen[0] > after;
        });
        return seen[0];
    }

    /**
     * Waits until {@code script} returns true. A table's scripts first check a row's cell count: until its first
     * entry arrives, a table holds one placeholder cell ("none", "no guarded deploys yet"), and reading a cell
     * that is not there throws in the page instead of answering false.
     */
    private static void await(ChromeDriver driver, String what, String script) {
        Await.until(what, Duration.ofSeconds(30), () -> Boolean.TRUE.equals(((JavascriptExecutor) driver).executeScript(script)));
    }

    private static ChromeDriver startChromium(Map<String, String> browser) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.get("CHROMIUM"));
        options.addArguments("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1600");
        if (isRoot()) {
            options.addArguments("--no-sandbox"); // Chromium refuses to run as root with its sandbox
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(browser.get("CHROMEDRIVER")))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** CHROMIUM and CHROMEDRIVER from the project's script; skips (or fails under CI) when they cannot be had. */
    private static Map<String, String> findChromium() throws IOException, InterruptedException {
        Process find = new ProcessBuilder(FIND_CHROMIUM.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!find.waitFor(15, TimeUnit.MINUTES)) {
            find.destroyForcibly();
            throw new AssertionError(FIND_CHROMIUM + " did not finish in 15 minutes");
        }
        if (find.exitValue() != 0) {
            String why = FIND_CHROMIUM + " found no chromium and chromium-driver (exit " + find.exitValue() + ", see its message above)";
            if ("true".equals(System.getenv("CI")) || isRoot()) {
                throw new AssertionError(why + (isRoot() ? "; as root it should have installed them" : "; CI must have them"));
            }
            Assumptions.abort(why + "; skipped (as root the script installs them)");
        }
        Map<String, String> found = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                found.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return found;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
