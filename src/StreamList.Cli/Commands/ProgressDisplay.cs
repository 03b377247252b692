namespace StreamList.Cli.Commands;

/// <summary>
/// A live one-line status on stderr for long work: redrawn in place four times a second on a
/// terminal, printed every five seconds otherwise (logs stay readable), or as plain lines every
/// <c>period</c> when asked for (machine-readable progress). Disposing prints the last state.
/// </summary>
internal sealed class ProgressDisplay : IAsyncDisposable
{
    private readonly TextWriter _out;
    private readonly Func<string> _status;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _terminal;
    private readonly TimeSpan _period;

    private ProgressDisplay(TextWriter output, Func<string> status, TimeSpan? period, bool lines)
    {
        _out = output;
        _status = status;
        _terminal = !lines && ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected;
        _period = period ?? (_terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5));
        _loop = LoopAsync();
    }

    public static ProgressDisplay Start(TextWriter output, Func<string> status, TimeSpan? period = null, bool lines = false) => new(output, status, period, lines);

    private async Task LoopAsync()
    {
        var period = _period;
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                Write();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Write()
    {
        if (_terminal)
            _out.Write("\r\u001b[2K" + _status());
        else
            _out.WriteLine(_status());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Write();
        if (_terminal)
            _out.WriteLine();
        _stop.Dispose();
    }
}
