using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace StreamList.MemoryBench;

/// <summary>The <c>streamlist sync</c> child: its summary lines are read as they come; killed on dispose.</summary>
internal sealed class SyncChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private volatile StrongBox<JsonElement>? _latest;

    public SyncChild(Process process)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        Exited = Task.Run(ReadAsync);
    }

    /// <summary>Completes when the child's output ends (it exited).</summary>
    public Task Exited { get; }

    public JsonElement? Latest => _latest?.Value;

    /// <summary>The first summary that satisfies <paramref name="condition"/> within <paramref name="within"/>; null when the child exits or time runs out first.</summary>
    public async Task<JsonElement?> UntilAsync(Func<JsonElement, bool> condition, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (!(Latest is { } s && condition(s)))
        {
            if (Exited.IsCompleted || clock.Elapsed > within)
                return null;
            await Task.Delay(200);
        }
        return Latest;
    }

    public async Task<string> FailureAsync()
    {
        await _process.WaitForExitAsync();
        return $"sync exited {_process.ExitCode}: {(await _stderr).Trim()}";
    }

    /// <summary>Kills the child at once, as a crash would: it releases nothing (its Lease stays until it expires).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        await Exited;
        _process.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith('{'))
                _latest = new StrongBox<JsonElement>(JsonSerializer.Deserialize<JsonElement>(line));
        }
    }
}
