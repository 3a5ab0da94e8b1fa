using System.Text.RegularExpressions;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using Orchestrator.EndToEnd.Tests;
using Orchestrator.Lab;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests;

/// <summary>
/// One control plane and agent (real processes, real Docker) and one headless Debian chromium for the class; each
/// test signs in in a fresh browser context. Screenshots of each page at desktop and phone width go to
/// <c>artifacts/console/</c> under the test output directory.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public LocalCluster Cluster { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string Base => $"http://127.0.0.1:{Cluster.HttpPort}/console/";
    public static string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "console");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Artifacts);
        // Tasks start, services scale and agents report within seconds; a slow shared machine gets a minute.
        SetDefaultExpectTimeout(60_000);
        Cluster = await LocalCluster.StartAsync(TestContext.Current.CancellationToken);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>
/// The web console in a real browser against a real cluster: sign in, see the instance, register a task definition
/// (and the API's validation error for a bad one), run a task and watch it turn RUNNING without a reload, open its
/// port, follow its logs, stop it; scale a service from 1 to 3; drain and activate the instance; sign out; a
/// read-only key sees no write buttons and its forged POSTs are refused.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private static readonly (string Name, int Width, int Height)[] Sizes = [("desktop", 1280, 860), ("phone", 390, 844)];
    private LocalCluster Cluster => fixture.Cluster;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 180_000)]
    public async Task SignIn_RegisterRunWatchOpenPortFollowLogsStop_WithoutReloading()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page, LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);

        // The overview shows the instance, connected.
        await Expect(page.Locator("[data-testid=instance-count]")).ToHaveTextAsync("1");
        await Expect(page.Locator("[data-page=overview] tr[data-instance]")).ToContainTextAsync("connected");
        // The bars' widths are set through the CSSOM, which the page's CSP (no inline styles) allows.
        Assert.Matches(@"^\d+%$", await page.EvaluateAsync<string>("() => document.querySelector('.bar > span').style.width"));
        await ScreenshotsAsync(page, "overview");
        await page.EvaluateAsync("() => { window.__sameDocument = 'yes'; }");

        // A bad task definition: the API's own validation error, next to the field.
        var family = "console-" + Guid.NewGuid().ToString("N")[..8];
        await GoAsync(page, "taskdefs");
        await page.FillAsync("#taskdef-json", """{"family":"bad family!","containerDefinitions":[{"name":"web","image":"local/busybox:1","memory":32}]}""");
        await page.ClickAsync("button:text-is('Register')");
        await Expect(page.Locator("#register-error")).ToContainTextAsync("ClientException");
        await Expect(page.Locator("#taskdef-json")).ToHaveAttributeAsync("aria-invalid", "true");
        await ScreenshotsAsync(page, "taskdefs-error");

        // A good one: registered, and its JSON shown.
        await RegisterAsync(page, family,
            """echo console-hello; (i=0; while [ $i -lt 600 ]; do i=$((i+1)); echo tick-$i; sleep 1; done) & exec httpd -f -p 8080 -h /www""");
        await ScreenshotsAsync(page, "taskdef");

        // Run it: the task page turns RUNNING by itself (server-sent events), in the same document.
        await GoAsync(page, "run");
        await page.FillAsync("#run-taskdef", family);
        await ScreenshotsAsync(page, "run");
        await page.Keyboard.PressAsync("Escape");
        page.Console += (_, message) => TestContext.Current.TestOutputHelper?.WriteLine($"browser: {message.Text}");
        page.Response += (_, response) => TestContext.Current.TestOutputHelper?.WriteLine($"response: {response.Status} {response.Url}");
        await page.ClickAsync("[data-page=run] button[type=submit]");
        try
        {
            await page.WaitForSelectorAsync("[data-page=run] a[href^='#/tasks/'], #run-error:not(:empty), [aria-label='Placement failures']");
        }
        catch (TimeoutException)
        {
            Assert.Fail(await page.InnerTextAsync("body"));
        }

        var link = page.Locator("[data-page=run] a[href^='#/tasks/']");
        Assert.True(await link.CountAsync() == 1, await page.InnerTextAsync("#view"));
        await link.ClickAsync();
        await Expect(page.Locator("[data-testid=task-status]")).ToContainTextAsync("RUNNING");
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));

        // Its port link (one, though Docker binds the port on 0.0.0.0 and ::) answers.
        await Expect(page.Locator("a.port-link")).ToHaveCountAsync(1);
        Assert.DoesNotContain("null", await page.InnerTextAsync("[data-page=task]"), StringComparison.Ordinal);
        var href = await page.Locator("a.port-link").GetAttributeAsync("href");
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", href);
        var portPage = await context.NewPageAsync();
        var answer = await portPage.GotoAsync(href!);
        Assert.Equal(200, answer!.Status);
        Assert.Contains("Hello from a task", await portPage.ContentAsync(), StringComparison.Ordinal);
        await portPage.CloseAsync();

        // Its logs, followed: the first line, then new ticks as they are written.
        await page.ClickAsync("#follow-logs");
        await Expect(page.Locator("#logs")).ToContainTextAsync("console-hello");
        var ticks = await CountAsync(page, "tick-");
        await Expect(page.Locator("#logs")).ToContainTextAsync($"tick-{ticks + 2}");
        await page.ClickAsync("text=Show stats");
        await Expect(page.Locator("[aria-label='Task stats']")).ToContainTextAsync("web");
        await Expect(page.Locator("[aria-label='Task events']")).ToContainTextAsync("started");
        await ScreenshotsAsync(page, "task");
        await GoAsync(page, "tasks");
        await Expect(page.Locator("[data-page=tasks] tbody")).ToContainTextAsync(family);
        await ScreenshotsAsync(page, "tasks");
        await page.GoBackAsync();

        // Stop it: STOPPED, with the reason given, still without a reload.
        await page.ClickAsync("button:text('Stop task')");
        await Expect(page.Locator("[data-testid=task-status]")).ToContainTextAsync("STOPPED");
        await Expect(page.Locator("[data-page=task]")).ToContainTextAsync("Stopped from the console");
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
    }

    [Fact(Timeout = 180_000)]
    public async Task Service_ScaledFrom1To3_IsWatchedUntilThreeRun()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await SignInAsync(page, LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        var family = "console-svc-" + Guid.NewGuid().ToString("N")[..8];
        await RegisterAsync(page, family, "exec sleep 600");

        await GoAsync(page, "services");
        await page.FillAsync("#svc-name", family);
        await page.FillAsync("#svc-taskdef", family);
        await page.FillAsync("#svc-count", "1");
        await page.ClickAsync("button:text('Create service')");
        await Expect(page.Locator("[data-testid=service-running]")).ToHaveTextAsync("1");
        await page.EvaluateAsync("() => { window.__sameDocument = 'yes'; }");

        await page.FillAsync("#desired-count", "3");
        await page.ClickAsync("#set-desired");
        await Expect(page.Locator("[data-testid=service-desired]")).ToHaveTextAsync("3");
        await Expect(page.Locator("[data-testid=service-running]")).ToHaveTextAsync("3");
        await Expect(page.Locator("[aria-label=Deployments]")).ToContainTextAsync("PRIMARY");
        // The sparkline the page drew from its own samples: several of them, the last with three running.
        var spark = page.Locator("svg[data-testid=deployment-sparkline]");
        await Expect(spark).ToHaveAttributeAsync("data-last", "3");
        Assert.True(int.Parse(await spark.GetAttributeAsync("data-samples") ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.True(await spark.Locator("polyline.primary").CountAsync() == 1);
        await Expect(page.Locator("[aria-label='Service events']")).ToContainTextAsync("has started");
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.__sameDocument"));
        await ScreenshotsAsync(page, "service");
        await GoAsync(page, "services");
        await Expect(page.Locator("[data-page=services] tbody")).ToContainTextAsync(family);
        await ScreenshotsAsync(page, "services");

        await page.ClickAsync($"a:text('{family}')");
        await page.ClickAsync("button:text('Delete service')");
        await page.WaitForSelectorAsync("[data-page=services][data-ready=true]");
        await Eventually.Async(async () =>
        {
            var services = await Cluster.OrchJsonAsync("service", "list", "--cluster", Cluster.ClusterName);
            Assert.DoesNotContain(family, services.GetRawText(), StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), Cluster.Diagnostics);
    }

    [Fact(Timeout = 120_000)]
    public async Task Service_ThatCannotFit_ShowsThePlacementEnginesReasonPerInstance()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await SignInAsync(page, LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        var family = "console-huge-" + Guid.NewGuid().ToString("N")[..8];
        await RegisterAsync(page, family, "exec sleep 600", memory: 4_000_000); // more memory than the instance has

        await GoAsync(page, "services");
        await page.FillAsync("#svc-name", family);
        await page.FillAsync("#svc-taskdef", family);
        await page.FillAsync("#svc-count", "1");
        await page.ClickAsync("button:text('Create service')");
        var reasons = page.Locator("[aria-label='Placement reasons']");
        await Expect(reasons).ToContainTextAsync("RESOURCE:MEMORY");
        var instanceId = (await Cluster.WaitForConnectedInstanceAsync()).GetProperty("containerInstanceArn").GetString()!.Split('/')[^1];
        await Expect(reasons.Locator("tbody tr")).ToContainTextAsync(instanceId);
        await Expect(page.Locator("[data-testid=service-running]")).ToHaveTextAsync("0");
        await ScreenshotsAsync(page, "service-not-placed");

        await page.ClickAsync("button:text('Delete service')");
        await page.WaitForSelectorAsync("[data-page=services][data-ready=true]");
    }

    [Fact(Timeout = 120_000)]
    public async Task Instance_DrainedAndActivated_ThenSignOutEndsTheSession()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page, LocalCluster.AccessKeyId, LocalCluster.SecretAccessKey);
        await GoAsync(page, "instances");
        var row = page.Locator("[data-page=instances] tr[data-instance]");

        await row.Locator("button:text('Drain')").ClickAsync();
        await Expect(row).ToContainTextAsync("DRAINING");
        var instance = await Cluster.WaitForConnectedInstanceAsync();
        Assert.Equal("DRAINING", instance.GetProperty("status").GetString());
        await ScreenshotsAsync(page, "instances");
        await row.Locator("button:text('Activate')").ClickAsync();
        await Expect(row).ToContainTextAsync("ACTIVE");
        Assert.Equal("ACTIVE", (await Cluster.WaitForConnectedInstanceAsync()).GetProperty("status").GetString());

        // The instance's own page: DescribeContainerInstances' ports and free dynamic ports, its attributes.
        await row.Locator("a").First.ClickAsync();
        await page.WaitForSelectorAsync("[data-page=instance][data-ready=true]", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-testid=ports-tcp]")).ToContainTextAsync("22");
        await Expect(page.Locator("[data-testid=dynamic-tcp]")).ToHaveTextAsync(new Regex(@"^\d+ / \d+$"));
        await Expect(page.Locator("[aria-label=Attributes]")).ToContainTextAsync("ecs.os-type");
        await ScreenshotsAsync(page, "instance");

        await page.ClickAsync("#signout");
        await Expect(page.Locator("#signin")).ToBeVisibleAsync();
        Assert.Equal(401, await page.EvaluateAsync<int>("() => fetch('api/session').then(r => r.status)"));
        await page.ReloadAsync();
        await Expect(page.Locator("#signin")).ToBeVisibleAsync();
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "orch_console");
    }

    [Fact(Timeout = 120_000)]
    public async Task ReadOnlyKey_SeesEverything_HasNoWriteButtons_AndForgedPostsAreRefused()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        var key = await Cluster.OrchJsonAsync("access-key", "create", "--read-only", "--description", "console test");
        var (id, secret) = (Find(key, "accessKeyId"), Find(key, "secretAccessKey"));
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        await SignInAsync(page, id, secret);
        await Expect(page.Locator("#who")).ToContainTextAsync("read-only");
        await Expect(page.Locator("[data-testid=instance-count]")).ToHaveTextAsync("1");

        foreach (var route in new[] { "instances", "services", "taskdefs", "run" })
        {
            await GoAsync(page, route);
            Assert.Equal(0, await page.Locator("#view button, #view textarea, #view input").CountAsync());
        }

        await ScreenshotsAsync(page, "read-only");
        // A forged POST with the session's own CSRF token: the server refuses the change.
        var forged = await page.EvaluateAsync<JsonElement>("""
            async (instance) => {
              const s = await (await fetch('api/session')).json();
              const post = (action, body) => fetch('api/ecs/' + action, { method: 'POST', headers: { 'X-Orch-Csrf': s.csrfToken }, body: JSON.stringify(body) })
                .then(async r => ({ status: r.status, body: await r.json() }));
              return [await post('UpdateContainerInstancesState', { cluster: instance.cluster, containerInstances: [instance.arn], status: 'DRAINING' }),
                      await post('CreateCluster', { clusterName: 'forged-by-read-only' })];
            }
            """, new { cluster = Cluster.ClusterName, arn = (await Cluster.WaitForConnectedInstanceAsync()).GetProperty("containerInstanceArn").GetString() });
        foreach (var answer in forged.EnumerateArray())
        {
            Assert.Equal(403, answer.GetProperty("status").GetInt32());
            Assert.Equal("AccessDeniedException", answer.GetProperty("body").GetProperty("__type").GetString());
        }

        Assert.Equal("ACTIVE", (await Cluster.WaitForConnectedInstanceAsync()).GetProperty("status").GetString());
        Assert.DoesNotContain("forged-by-read-only", (await Cluster.OrchAsync("cluster", "list")).Stdout, StringComparison.Ordinal);
        Assert.Equal(403, await page.EvaluateAsync<int>("() => fetch('api/task-logs?task=x').then(r => r.status)"));
    }

    [Fact(Timeout = 120_000)]
    public async Task FirstLoad_IsSmallAndQuick_OnLoopback()
    {
        TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
        // Twice, each in a fresh context (empty cache): the first may meet a control plane that has not served the page yet.
        for (var round = 1; round <= 2; round++)
        {
            await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
            var page = await context.NewPageAsync();
            var requests = new List<IRequest>();
            page.RequestFinished += (_, request) => requests.Add(request);

            var clock = Stopwatch.StartNew();
            await page.GotoAsync(fixture.Base);
            await page.WaitForFunctionAsync("() => document.body.dataset.loaded === 'true'");
            var interactive = clock.Elapsed;
            var firstLoad = requests.ToList();
            // The browser's own clock: from the start of navigation to the end of the page's script (sign-in form usable).
            var inBrowser = await page.EvaluateAsync<string>("() => document.body.dataset.interactiveMs");
            var navigation = await page.EvaluateAsync<JsonElement>(
                "() => { const n = performance.getEntriesByType('navigation')[0]; return { dcl: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd) }; }");
            long transferred = 0;
            foreach (var request in firstLoad)
            {
                var sizes = await request.SizesAsync();
                transferred += sizes.ResponseBodySize + sizes.ResponseHeadersSize;
            }

            clock.Restart();
            await page.FillAsync("#key-id", LocalCluster.AccessKeyId);
            await page.FillAsync("#key-secret", LocalCluster.SecretAccessKey);
            await page.ClickAsync("#signin-form button[type=submit]");
            await page.WaitForSelectorAsync("[data-page=overview][data-ready=true]");
            var overview = clock.Elapsed;

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"console first load #{round}: {firstLoad.Count} requests ({string.Join(", ", firstLoad.Select(r => new Uri(r.Url).AbsolutePath))}), {transferred} bytes transferred (bodies + headers); " +
                $"interactive {inBrowser} ms after navigation start by the page's clock (DOMContentLoaded {navigation.GetProperty("dcl")} ms, load {navigation.GetProperty("load")} ms), " +
                $"{interactive.TotalMilliseconds:0} ms as the test saw it; sign-in to overview with data: {overview.TotalMilliseconds:0} ms (loopback, headless chromium); " +
                $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores");
            Assert.InRange(transferred, 1, 300 * 1024);
            if (round == 2)
            {
                await ScreenshotsAsync(page, "overview-first-load");
                await page.GotoAsync(fixture.Base.Replace("/console/", "/console", StringComparison.Ordinal));
                await Expect(page.Locator("[data-page=overview]")).ToBeVisibleAsync();
            }
        }
    }

    private async Task SignInAsync(IPage page, string id, string secret)
    {
        await page.GotoAsync(fixture.Base);
        await Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await ScreenshotsAsync(page, "signin");
        await page.FillAsync("#key-id", id);
        await page.FillAsync("#key-secret", "wrong secret");
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#signin-error")).ToContainTextAsync("not right");
        await page.FillAsync("#key-secret", secret);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("[data-page=overview][data-ready=true]", new() { Timeout = 30_000 });
        Assert.Equal(Cluster.ClusterName, await page.InputValueAsync("#cluster"));
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "orch_console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
    }

    private static async Task RegisterAsync(IPage page, string family, string script, int memory = 32)
    {
        var definition = JsonSerializer.Serialize(new
        {
            family,
            containerDefinitions = new[]
            {
                new
                {
                    name = "web",
                    image = "local/busybox:1",
                    memory,
                    essential = true,
                    entryPoint = new[] { "sh", "-c" },
                    command = new[] { script },
                    portMappings = new[] { new { containerPort = 8080, hostPort = 0 } },
                    stopTimeout = 2,
                },
            },
        });
        await GoAsync(page, "taskdefs");
        await page.FillAsync("#taskdef-json", definition);
        await page.ClickAsync("button:text-is('Register')");
        await Expect(page.Locator("[aria-label='Task definition JSON']")).ToContainTextAsync(family);
    }

    private static async Task GoAsync(IPage page, string route)
    {
        await page.ClickAsync($"#nav a[href='#/{route}']");
        await page.WaitForSelectorAsync($"[data-page={route}][data-ready=true]", new() { Timeout = 30_000 });
    }

    private static Task<int> CountAsync(IPage page, string text) =>
        page.EvaluateAsync<int>("t => document.querySelector('#logs').textContent.split(t).length - 1", text);

    private static string Find(JsonElement element, string name) =>
        element.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value.GetString()
        ?? throw new InvalidOperationException($"no {name} in {element}");

    private static async Task ScreenshotsAsync(IPage page, string name)
    {
        foreach (var (size, width, height) in Sizes)
        {
            await page.SetViewportSizeAsync(width, height);
            await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleFixture.Artifacts, $"{name}-{size}.png"), FullPage = true });
        }

        await page.SetViewportSizeAsync(Sizes[0].Width, Sizes[0].Height);
    }
}
