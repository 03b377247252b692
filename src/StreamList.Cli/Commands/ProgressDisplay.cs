namespace StreamList.Cli.Commands;

/// <summary>
/// A live one-line status on stderr for long work: redrawn in place four times a second on a
/// terminal, printed every five seconds otherwise (logs stay readable). Disposing prints the last state.
/// </summary>
internal sealed class ProgressDisplay : IAsyncDisposable
{
    private readonly TextWriter _out;
    private readonly Func<string> _status;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _terminal;

    private ProgressDisplay(TextWriter output, Func<string> status)
    {
        _out = output;
        _status = status;
        _terminal = ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected;
        _loop = LoopAsync();
    }

    public static ProgressDisplay Start(TextWriter output, Func<string> status) => new(output, status);

    private async Task LoopAsync()
    {
        var period = _terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5);
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
