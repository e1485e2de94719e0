using Microsoft.Playwright;

namespace Integration.Tests.Dashboard;

/// <summary>
/// Loads the dashboard in Debian's chromium (driven by Playwright) while <c>recserve bench</c> loads the example
/// model, and checks what an operator would read off it. Fails, never skips, when chromium is missing.
/// </summary>
public sealed class DashboardPageTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private ServerProcess _server = null!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync("--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheDashboardShowsTheExampleModelServingUnderLoad()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (scripts/test.sh installs it)");
        using var bench = RecServeCommand.Start("bench", [
            "--api", "rest", "--target", $"127.0.0.1:{_server.RestPort}", "--model", "dlrm", "--batch", "16",
            "--concurrency", "2", "--warmup", "0", "--duration", "120", "--id-max", "cat_0=1000,cat_1=500,cat_2=200,cat_3=100"]);
        _ = bench.StandardOutput.ReadToEndAsync();
        _ = bench.StandardError.ReadToEndAsync();
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1100 } });
            await page.GotoAsync($"http://127.0.0.1:{_server.RestPort}/");

            var row = page.Locator("#models tbody tr[data-model='dlrm']");
            var wait = new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 };
            await Assertions.Expect(row.Locator("td.model")).ToHaveTextAsync("dlrm", wait);
            await Assertions.Expect(row.Locator("td.version")).ToHaveTextAsync("1", wait);
            await Assertions.Expect(row.Locator("td.state")).ToHaveTextAsync("AVAILABLE", wait);
            // Several points of history, so the charts have lines, and a live QPS figure above zero.
            await page.WaitForFunctionAsync(
                """
                () => {
                  const cell = document.querySelector("#models tbody tr[data-model='dlrm'] td.qps");
                  return cell !== null && parseFloat(cell.textContent.replace(/,/g, "")) > 0;
                }
                """, null, new() { Timeout = 90_000 });
            Assert.Equal(3, await page.Locator("#charts [data-model='dlrm'] canvas").CountAsync());
            Assert.False(bench.HasExited, "recserve bench stopped early: the figures were not read under load");

            var results = Path.Combine(RepoPaths.Root, "TestResults");
            Directory.CreateDirectory(results);
            await page.ScreenshotAsync(new() { Path = Path.Combine(results, "dashboard.png"), FullPage = true });
        }
        finally
        {
            if (!bench.HasExited)
            {
                bench.Kill(entireProcessTree: true);
            }
        }
    }
}
